#!/usr/bin/env node
// npm links a workspace's bin when it installs, before tsc has written dist/: this file is
// committed so the link (`npx bsn`) exists on a fresh clone; the command itself is built.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('bsn is not built yet: run `npm run build` (or `npm test` / `npm start`, which build first)\n');
  process.exit(1);
}
await import(main.href);
