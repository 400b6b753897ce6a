/**
 * What the emulator says it is. It implements the FISCO BCOS 3.x protocol as of FISCO-BCOS
 * v3.16.4 (commit 7608ab866) but is not a FISCO node: every report, health answer and
 * iniConfig names it as the emulator, with its own version.
 */
export const EMULATOR_NAME = 'bsn-fisco-bcos-emulator';
export const EMULATOR_VERSION = '0.1.0';
/** The FISCO BCOS release whose protocol is emulated. */
export const PROTOCOL_VERSION = '3.16.4';
/** `compatibility_version` as the block header's `version` encodes it: 3.16.0 → 0x03100000. */
export const COMPATIBILITY_VERSION = '3.16.0';

export function versionNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return ((major << 24) | (minor << 16) | (patch << 8)) >>> 0;
}

/** The node software string adapters report: the emulator, its version and the protocol it speaks. */
export const nodeSoftware = (mode: 'standard' | 'sm'): string =>
  `${EMULATOR_NAME}/${EMULATOR_VERSION} (emulator of FISCO BCOS ${PROTOCOL_VERSION}, ${mode === 'sm' ? 'SM crypto' : 'standard crypto'})`;
