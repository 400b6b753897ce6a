import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeVariantPlugin } from './variant-plugin.js';

/**
 * One seeded fault per part of the contract (identity, gateway, events, lifecycle, preset KV,
 * interchain), written over any built adapter: each variant wraps the adapter's parts and
 * breaks one method the way a sloppy implementation would, and names the case that must fail
 * on it. They use nothing framework-specific, so every adapter is held to the same faults
 * (Ethereum and Fabric in the tests; a vendor can run them on theirs).
 */
export const PART_FAULTS = {
  // identity: an account that does not depend on the key
  'account-ignores-key': { part: 'identity', catches: ['KEY-002'] },
  // gateway: a look-up that names the block after the one that holds the transaction
  'lookup-next-block': { part: 'gateway', catches: ['GW-002'] },
  // events: an event that names another transaction than the one that committed it
  'event-foreign-txid': { part: 'events', catches: ['EV-005'] },
  // lifecycle: removing a member answers as if done, and does nothing
  'remove-member-ignored': { part: 'lifecycle', catches: ['LC-004'] },
  // lifecycle: freezing answers 'frozen', and does nothing
  'freeze-ignored': { part: 'lifecycle', catches: ['LC-006'] },
  // preset KV: a value read back loses its last byte
  'get-drops-last-byte': { part: 'kv', catches: ['KV-001'] },
  // interchain: a verifier that proves whatever names a packet
  'verify-proves-anything': { part: 'interchain', catches: ['IC-002'] },
} as const satisfies Record<string, { part: string; catches: readonly string[] }>;
export type PartFault = keyof typeof PART_FAULTS;

const BREAK: Record<PartFault, string> = {
  'account-ignores-key': `
  let first;
  parts.identity.accountFor = async (publicKey, algorithm) => (first ??= await adapter.identity.accountFor(publicKey, algorithm));`,
  'lookup-next-block': `
  parts.gateway.transaction = async (...args) => {
    const t = await adapter.gateway.transaction(...args);
    return { ...t, block: { ...t.block, number: t.block.number + 1 } };
  };`,
  'event-foreign-txid': `
  const events = adapter.gateway.events.bind(adapter.gateway);
  const other = (id) => id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
  parts.gateway.events = async function* (request) {
    for await (const e of events(request)) yield { ...e, txId: other(e.txId) };
  };`,
  'remove-member-ignored': `
  parts.lifecycle.removeMember = async (app, account) => {
    const info = await adapter.lifecycle.get(app);
    return { ...info, members: info.members.filter((m) => m !== account.id) };
  };`,
  'freeze-ignored': `
  parts.lifecycle.freeze = async (app) => ({ ...(await adapter.lifecycle.get(app)), state: 'frozen' });`,
  'get-drops-last-byte': `
  parts.kv.get = async (...args) => {
    const entry = await adapter.kv.get(...args);
    return entry && { ...entry, value: entry.value.subarray(0, -1) };
  };`,
  'verify-proves-anything': `
  parts.interchain.verify = async (evidence) => ({ state: 'proven', subject: evidence.subject });`,
};

function entry(dist: string, fault: PartFault): string {
  return `// Seeded fault: ${fault} (${PART_FAULTS[fault].part})
import factory from '${dist}/index.js';
export default {
  async connect(network, context) {
    const adapter = await factory.connect(network, context);
    const parts = {};
    for (const name of ['identity', 'gateway', 'kv', 'lifecycle', 'interchain']) {
      if (adapter[name]) parts[name] = Object.create(adapter[name]);
    }${BREAK[fault]}
    return { ...parts, describe: () => adapter.describe(), close: () => adapter.close() };
  },
};
`;
}

/** Writes the variant of the built adapter in `adapterDir` into `dir` (a plugin folder) and returns it. */
export function writePartFaultPlugin(fault: PartFault, adapterDir: string, dir: string): string {
  const dist = pathToFileURL(join(adapterDir, 'dist')).href;
  return writeVariantPlugin(adapterDir, dir, fault, entry(dist, fault), dist);
}
