import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeVariantPlugin } from './variant-plugin.js';

/**
 * Deliberately broken variants of the EOS adapter, each with one seeded fault, to show the
 * suite catches on a real Leap node what it claims to catch. Each is a plugin folder whose
 * entry wraps (or patches) the built adapter in adapters/eos/dist and runs on its devnets.
 */
export const EOS_FAULTS = {
  /** Answers as soon as the node accepted the transaction, before any block (let alone an irreversible one) holds it. */
  'receipt-before-irreversible': { catches: ['GW-001'] },
  /** The trace API's answer loses the first action of every block: events of those writes are never seen. */
  'drop-action-trace': { catches: ['EV-001', 'EV-002'] },
  /** Replaces the client's request id with a fresh one on every submit. */
  'ignore-request-id': { catches: ['GW-003'] },
} as const;
export type EosFault = keyof typeof EOS_FAULTS;

const ENTRY: Record<EosFault, (dist: string) => string> = {
  'receipt-before-irreversible': (dist) => `
import { Transactions } from '${dist}/transactions.js';
import factory from '${dist}/index.js';
Transactions.prototype.final = async function (sent) {
  const info = await this.api.info();
  return { txId: sent.txId, block: { number: info.head_block_num + 1, hash: '00'.repeat(32), timestamp: Date.now() }, actions: [] };
};
export default factory;
`,
  'drop-action-trace': (dist) => `
import { NodeApi } from '${dist}/node-api.js';
import factory from '${dist}/index.js';
const traceBlock = NodeApi.prototype.traceBlock;
NodeApi.prototype.traceBlock = async function (number) {
  const block = await traceBlock.call(this, number);
  let dropped = false;
  for (const tx of block.transactions) {
    if (!dropped && tx.actions.some((a) => a.action === 'put' || a.action === 'del')) {
      tx.actions = tx.actions.filter((a) => a.action !== 'put' && a.action !== 'del');
      dropped = true;
    }
  }
  return block;
};
export default factory;
`,
  'ignore-request-id': (dist) => `
import factory from '${dist}/index.js';
export default {
  async connect(network, context) {
    const adapter = await factory.connect(network, context);
    const gateway = Object.create(adapter.gateway);
    const submit = adapter.gateway.submit.bind(adapter.gateway);
    gateway.submit = (request, signer) => submit({ ...request, requestId: 'fresh-' + Math.random().toString(36).slice(2) }, signer);
    return {
      describe: () => adapter.describe(), identity: adapter.identity, lifecycle: adapter.lifecycle,
      interchain: adapter.interchain, gateway, kv: adapter.kv, close: () => adapter.close(),
    };
  },
};
`,
};

/** Writes the variant into `dir` (a plugin folder) and returns it. */
export function writeFaultyEosPlugin(fault: EosFault, adapterDir: string, dir: string): string {
  const dist = pathToFileURL(join(adapterDir, 'dist')).href;
  return writeVariantPlugin(adapterDir, dir, fault, `// Seeded fault: ${fault}\n${ENTRY[fault](dist)}`, dist);
}
