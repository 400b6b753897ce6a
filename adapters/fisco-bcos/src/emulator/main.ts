#!/usr/bin/env node
/**
 * The emulator as a process (what the `fisco-bcos` and `fisco-bcos-sm` devnets start):
 *   node dist/emulator/main.js --mode sm|standard [--port N] [--chain-id chain0] [--group-id group0]
 * Prints one line `listening <url>` once it answers, then serves until SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { CRYPTO_MODES, type CryptoMode } from '../protocol/crypto-suite.js';
import { startEmulator } from './emulator.js';
import { nodeSoftware } from './node-identity.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'standard' },
    port: { type: 'string', default: '0' },
    'chain-id': { type: 'string', default: 'chain0' },
    'group-id': { type: 'string', default: 'group0' },
  },
});
const mode = values.mode as CryptoMode;
if (!CRYPTO_MODES.includes(mode)) {
  process.stderr.write(`--mode must be one of ${CRYPTO_MODES.join(', ')}\n`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('--port must be a TCP port (0: any free one)\n');
  process.exit(2);
}
const emulator = await startEmulator({ mode, port, chainId: values['chain-id'], groupId: values['group-id'] });
process.stdout.write(`${nodeSoftware(mode)}: chain ${values['chain-id']}, group ${values['group-id']}\n`);
process.stdout.write(`listening ${emulator.url}\n`);
const stop = () => void emulator.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
