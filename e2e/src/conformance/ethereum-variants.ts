import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeVariantPlugin } from './variant-plugin.js';

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
  // The gaps an auditor's mutants found in suite 1.2.0 (#18), each with the case that now catches it.
  /** Waits for the transaction to be mined, not for the declared depth (runs at depth 0, says depth 2). */
  'receipt-before-depth': { catches: ['GW-001'], target: 'anvil-final' },
  /** Lists by prefix with no upper bound: keys sorting after the prefix leak in. */
  'list-unbounded': { catches: ['KV-005'] },
  /** Drops a short last page when paging (a page size that does not divide the keys). */
  'list-lost-last-page': { catches: ['KV-005'] },
  /** Resumes at the block after the checkpoint, skipping the rest of its block. */
  'event-resume-next-block': { catches: ['EV-007'], target: 'anvil-final' },
  /** Delivers the events of one block in reverse order. */
  'event-reorder-in-block': { catches: ['EV-007'], target: 'anvil-final' },
  /** Ignores the name filter. */
  'event-name-ignored': { catches: ['EV-008'] },
  /** Names the chain's head in receipts instead of the transaction's block. */
  'receipt-names-head': { catches: ['GW-001'], target: 'anvil-final' },
  /** Reports the chain's head as the block of an entry. */
  'entry-block-head': { catches: ['KV-001'], target: 'anvil-final' },
  /** Gives history entries the time they were read, not the chain's time. */
  'history-time-now': { catches: ['KV-004'] },
  /** Reports malformed evaluate input as an unavailable chain. */
  'evaluate-input-unavailable': { catches: ['BAD-004'] },
  /** Accepts a prepared transaction signed by any key (patched in a copy of dist). */
  'prepared-any-signer': { catches: ['GW-009'] },
  /** Proves a packet without comparing the receipt with the one the trie proves (patched in a copy of dist). */
  'verify-skips-receipt-bytes': { catches: ['IC-002'] },
  // Delivery (#15 §6).
  /** A verifier that proves anything it is shown. */
  'verify-accepts-anything': { catches: ['IC-002', 'IC-004'] },
  /** Executes a delivered packet without recording its receipt (the outbox compiled without that line). */
  'deliver-without-receipt': { catches: ['IC-004', 'IC-005'] },
  // Apps that bring their own contract (#19).
  /** Upgrades an app by moving it to a new proxy: version 2 runs on fresh storage (BsnCustomApps compiled so). */
  'upgrade-fresh-storage': { catches: ['CC-004'] },
  /** Upgrades to a package without the kit's checks (patched in a copy of dist): an ABI the code does not dispatch goes on chain. */
  'upgrade-trusts-package': { catches: ['CC-006'] },
} as const satisfies Record<string, { catches: readonly string[]; target?: string }>;
export type Fault = keyof typeof FAULTS;

/** Faults made by patching one line of a copy of the built adapter: [file in dist, the exact text, its replacement]. */
const PATCHES: Partial<Record<Fault, [string, string, string]>> = {
  'prepared-any-signer': ['signer-bridge.js', 'uncachedAddressOf(publicKey) === expected', 'publicKey'],
  'verify-skips-receipt-bytes': ['interchain/verify.js', 'if (hexlify(provenReceipt) !== hexlify(receiptBytes))', 'if (false)'],
  'upgrade-trusts-package': [
    'lifecycle.js',
    "const source = checkContractSource(contract, '/contract', { packages: PACKAGE_FORMATS });",
    'const source = contract;',
  ],
};

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
  'receipt-before-depth': (dist) => `
import factory from '${dist}/index.js';
export default {
  async connect(network, context) {
    // Says the network's depth, waits for none.
    const honest = await factory.connect(network, context);
    const adapter = await factory.connect({ ...network, confirmations: 0 }, context);
    return { ...adapter, describe: () => honest.describe(), close: async () => { await honest.close(); await adapter.close(); } };
  },
};
`,
  'list-unbounded': (dist) =>
    wrap(
      dist,
      `
  kv.list = async (app, prefix, page) => {
    if (!prefix) return adapter.kv.list(app, prefix, page);
    const all = await adapter.kv.list(app, prefix.slice(0, -1), page);
    return { ...all, entries: all.entries.filter((e) => e.key >= prefix) };
  };`,
    ),
  'list-lost-last-page': (dist) =>
    wrap(
      dist,
      `
  kv.list = async (app, prefix, page) => {
    const got = await adapter.kv.list(app, prefix, page);
    return page?.cursor && page.limit && got.entries.length < page.limit ? { entries: [] } : got;
  };`,
    ),
  'event-resume-next-block': (dist) =>
    wrap(
      dist,
      `
  const events = adapter.gateway.events.bind(adapter.gateway);
  gateway.events = (request) => events(request.after ? { ...request, after: { block: request.after.block, index: 1e9 } } : request);`,
    ),
  'event-reorder-in-block': (dist) =>
    wrap(
      dist,
      `
  const events = adapter.gateway.events.bind(adapter.gateway);
  gateway.events = async function* (request) {
    // Holds each block's events until the next block's first (or 300 ms of quiet), then yields them reversed.
    const it = events(request)[Symbol.asyncIterator]();
    let held = [];
    let next = it.next();
    for (;;) {
      const r = await Promise.race([next, new Promise((ok) => setTimeout(() => ok('quiet'), 300))]);
      if (r === 'quiet') { yield* held.reverse(); held = []; continue; }
      if (r.done) { yield* held.reverse(); return; }
      if (held.length && held[0].checkpoint.block !== r.value.checkpoint.block) { yield* held.reverse(); held = []; }
      held.push(r.value);
      next = it.next();
    }
  };`,
    ),
  'event-name-ignored': (dist) =>
    wrap(
      dist,
      `
  const events = adapter.gateway.events.bind(adapter.gateway);
  gateway.events = (request) => { const { name, ...rest } = request; return events(rest); };`,
    ),
  'receipt-names-head': (dist) =>
    wrap(
      dist,
      `
  const lie = (call) => async (...args) => {
    const receipt = await call(...args);
    return { ...receipt, block: { ...receipt.block, number: (await adapter.gateway.health()).height } };
  };
  gateway.submit = lie(adapter.gateway.submit.bind(adapter.gateway));
  kv.put = lie(adapter.kv.put.bind(adapter.kv));`,
    ),
  'entry-block-head': (dist) =>
    wrap(
      dist,
      `
  kv.get = async (app, key) => {
    const entry = await adapter.kv.get(app, key);
    return entry && { ...entry, block: (await adapter.gateway.health()).height };
  };`,
    ),
  'history-time-now': (dist) =>
    wrap(
      dist,
      `
  kv.history = async (app, key) => (await adapter.kv.history(app, key)).map((h) => ({ ...h, timestamp: Date.now() }));`,
    ),
  'evaluate-input-unavailable': (dist) =>
    wrap(
      dist,
      `
  const evaluate = adapter.gateway.evaluate.bind(adapter.gateway);
  gateway.evaluate = async (...args) => {
    try { return await evaluate(...args); } catch (error) {
      if (error && error.code === 'INVALID_INPUT') { error.code = 'UNAVAILABLE'; }
      throw error;
    }
  };`,
    ),
  'prepared-any-signer': () => '',
  'verify-skips-receipt-bytes': () => '',
  'verify-accepts-anything': (dist) => `
import factory from '${dist}/index.js';
export default {
  async connect(network, context) {
    const adapter = await factory.connect(network, context);
    const interchain = Object.create(adapter.interchain);
    interchain.verify = async (evidence) => ({ state: 'proven', subject: evidence?.subject, ...(evidence?.proof?.packet && { packet: evidence.proof.packet }) });
    return {
      describe: () => adapter.describe(), identity: adapter.identity, lifecycle: adapter.lifecycle,
      interchain, gateway: adapter.gateway, kv: adapter.kv, close: () => adapter.close(),
    };
  },
};
`,
  'deliver-without-receipt': () => '',
  'upgrade-fresh-storage': () => '',
  'upgrade-trusts-package': () => '',
};

/** Faults made by compiling the contracts with lines of a source changed: [file in contracts/, [exact text, replacement]…, the contract whose creation code is swapped]. */
const CONTRACT_PATCHES: Partial<Record<Fault, [string, Array<[string, string]>, string]>> = {
  'deliver-without-receipt': [
    'BsnPacketOutbox.sol',
    [
      ['received[id].state = DELIVERED;', ''],
      ['received[id] = TargetRecord(DELIVERED, status, uint64(block.number), ackCommitment);', ''],
    ],
    'BsnPacketOutbox',
  ],
  'upgrade-fresh-storage': [
    'BsnCustomApps.sol',
    [
      [
        '(bool ok, bytes memory ret) = a.proxy.call(abi.encodeWithSelector(bytes4(0), implementation, code.call));',
        'a.proxy = address(new BsnCustomAppProxy{salt: keccak256(abi.encode(h, a.version))}(h, implementation, code.call));\n' +
          '        (bool ok, bytes memory ret) = (true, new bytes(0));',
      ],
    ],
    'BsnCustomApps',
  ],
};

/** The creation code of `contract` compiled (as scripts/build-contracts.mjs compiles) from contracts/ with lines of `file` changed. */
function patchedCreationCode(adapterDir: string, fault: Fault, [file, edits, contract]: [string, Array<[string, string]>, string]): string {
  const dir = join(adapterDir, 'contracts');
  const sources: Record<string, { content: string }> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sol'))) sources[f] = { content: readFileSync(join(dir, f), 'utf8') };
  let content = sources[file]?.content ?? '';
  for (const [text, replacement] of edits) {
    if (!content.includes(text)) throw new Error(`seeded fault ${fault}: "${text}" is not in contracts/${file} any more: update the patch`);
    content = content.replace(text, replacement);
  }
  sources[file] = { content };
  const solc = createRequire(join(adapterDir, 'package.json'))('solc') as { compile(input: string): string };
  const settings = {
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 200 },
    metadata: { bytecodeHash: 'none' },
    outputSelection: { [file]: { [contract]: ['evm.bytecode.object'] } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }))) as {
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
    errors?: Array<{ severity: string; formattedMessage: string }>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`seeded fault ${fault}: solc failed: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  return '0x' + out.contracts![file]![contract]!.evm.bytecode.object;
}

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
  const contractPatch = CONTRACT_PATCHES[fault];
  const patch: [string, string, string] | undefined = contractPatch
    ? [
        'generated/artifacts.js',
        creationCodeOf(adapterDir, contractPatch[2]),
        JSON.stringify(patchedCreationCode(adapterDir, fault, contractPatch)),
      ]
    : PATCHES[fault];
  if (!patch) {
    const dist = pathToFileURL(join(adapterDir, 'dist')).href;
    return writeVariantPlugin(adapterDir, dir, fault, `// Seeded fault: ${fault}\n${ENTRY[fault](dist)}`, dist);
  }
  // A copy of the built adapter with one line changed; it imports its packages from the repo's node_modules.
  const root = join(adapterDir, '..', '..', '.cache', 'fault-dist', fault);
  rmSync(root, { recursive: true, force: true });
  for (const part of ['dist', 'package.json', 'bsn-plugin.json', 'network-config.schema.json', 'artifacts', 'samples'].filter((p) =>
    existsSync(join(adapterDir, p)),
  ))
    cpSync(join(adapterDir, part), join(root, part), { recursive: true });
  const copy = join(root, 'dist');
  const [file, text, replacement] = patch;
  // the text is a contract's creation code: the quotes keep it from matching its runtime code
  const source = readFileSync(join(copy, file), 'utf8');
  if (!source.includes(text)) throw new Error(`seeded fault ${fault}: "${text}" is not in dist/${file} any more: update the patch`);
  writeFileSync(join(copy, file), source.replace(text, replacement));
  const dist = pathToFileURL(copy).href;
  return writeVariantPlugin(adapterDir, dir, fault, `// Seeded fault: ${fault}\nexport { default } from '${dist}/index.js';\n`, dist);
}

/** The creation code of `contract` in the built artifacts, quoted as it stands in dist/generated/artifacts.js. */
function creationCodeOf(adapterDir: string, contract: string): string {
  const artifacts = JSON.parse(readFileSync(join(adapterDir, 'artifacts', 'contracts.json'), 'utf8')) as {
    contracts: Record<string, { bytecode: string }>;
  };
  return JSON.stringify(artifacts.contracts[contract]!.bytecode);
}
