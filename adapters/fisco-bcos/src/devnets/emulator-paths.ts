import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The emulator's compiled entry, `dist/emulator/main.js`, from `src/devnets` (tests) and `dist/devnets` alike. */
export const emulatorMain = (): string => fileURLToPath(new URL('../../dist/emulator/main.js', import.meta.url));

export const emulatorBuilt = (): boolean => existsSync(emulatorMain());
