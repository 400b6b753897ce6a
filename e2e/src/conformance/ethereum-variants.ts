import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Deliberately broken variants of the Ethereum adapter, each with one seeded fault, to show
 * the suite catches what it claims to catch. Each is a real plugin folder whose entry wraps
 * (or patches) the built adapter in adapters/ethereum/dist.
 */
export const FAULTS = {
  /** Answers with a receipt as soon as the tx is sent, before it is mined. */
  'receipt-before-commit': { catches: ['GW-001'] },
  /** Loses the second event of every stream. */
  'drop-event': { catches: ['EV-001', 'EV-002'] },
  /** Replaces the client's request id with a fresh one on every submit. */
  'ignore-request-id': { catches: ['GW-003'] },
  /** Turns a chain rejection into a made-up success. */
  'swallow-revert': { catches: ['GW-005'] },
} as const;
export type Fault = keyof typeof FAULTS;

const ENTRY: Record<Fault, (dist: string) => string> = {
  'receipt-before-commit': (dist) => `
import { Finality } from '${dist}/finality.js';
import factory from '${dist}/index.js';
Finality.prototype.final = async function (txId) {
  const head = await this.chain.blockNumber();
  return { transactionHash: txId, blockNumber: '0x' + (head + 1).toString(16), blockHash: '0x' + '00'.repeat(32),
    status: '0x1', from: '0x' + '00'.repeat(20), to: null, contractAddress: null, gasUsed: '0x0', logs: [] };
};
export default factory;
`,
  'drop-event': (dist) =>
    wrap(
      dist,
      `
  const events = adapter.gateway.events.bind(adapter.gateway);
  gateway.events = async function* (request) {
    let n = 0;
    for await (const e of events(request)) if (++n !== 2) yield e;
  };`,
    ),
  'ignore-request-id': (dist) =>
    wrap(
      dist,
      `
  const submit = adapter.gateway.submit.bind(adapter.gateway);
  gateway.submit = (request, signer) => submit({ ...request, requestId: 'fresh-' + Math.random().toString(36).slice(2) }, signer);`,
    ),
  'swallow-revert': (dist) =>
    wrap(
      dist,
      `
  const swallow = (call) => async (...args) => {
    try { return await call(...args); } catch (error) {
      if (error && (error.code === 'UNAUTHORIZED' || error.code === 'REJECTED_BY_CHAIN')) {
        const head = await adapter.gateway.block('latest');
        return { txId: '0x' + '11'.repeat(32), requestId: args[0].requestId, status: 'committed', block: { number: head.number, hash: head.hash }, events: [], timestamp: head.timestamp };
      }
      throw error;
    }
  };
  gateway.submit = swallow(adapter.gateway.submit.bind(adapter.gateway));
  kv.put = swallow(adapter.kv.put.bind(adapter.kv));`,
    ),
};

function wrap(dist: string, body: string): string {
  return `
import factory from '${dist}/index.js';
export default {
  async connect(network, context) {
    const adapter = await factory.connect(network, context);
    const gateway = Object.create(adapter.gateway);
    const kv = Object.create(adapter.kv);${body}
    return {
      describe: () => adapter.describe(), identity: adapter.identity, lifecycle: adapter.lifecycle,
      interchain: adapter.interchain, gateway, kv, close: () => adapter.close(),
    };
  },
};
`;
}

/** Writes the variant into `dir` (a plugin folder) and returns it. */
export function writeFaultyEthereumPlugin(fault: Fault, adapterDir: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(adapterDir, 'bsn-plugin.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.files;
  delete manifest.configSchema;
  writeFileSync(join(dir, 'bsn-plugin.json'), JSON.stringify({ ...manifest, entry: 'index.js', devnets: 'devnets.js' }, null, 2));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `fault-${fault}`, private: true, type: 'module' }));
  const dist = pathToFileURL(join(adapterDir, 'dist')).href;
  writeFileSync(join(dir, 'index.js'), `// Seeded fault: ${fault}\n${ENTRY[fault](dist)}`);
  // The variant runs on the adapter's own devnets.
  writeFileSync(join(dir, 'devnets.js'), `export { default } from '${dist}/devnets/index.js';\n`);
  return dir;
}
