import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Deliberately broken variants of this adapter, each with one seeded fault, to show the
 * conformance suite catches on the FISCO emulator what it claims to catch. Each is a plugin
 * folder whose entry patches the built adapter (dist/), or a copy of it with one line changed.
 */
export const FISCO_FAULTS = {
  /** A write answers as soon as the transaction is sent, naming the head block of before: not waiting for a block holding it to be sealed. */
  'receipt-before-sealing': { catches: ['GW-001'], target: 'fisco-bcos' },
  /** Accounts derived with the other crypto mode's hash (Keccak on an SM chain): not the sender the node derives. */
  'account-wrong-crypto-mode': { catches: ['LC-001', 'LC-004'], target: 'fisco-bcos-sm' },
  /** Evidence proven by one sealer's signature, not 2f + 1 of the pinned sealers. */
  'evidence-without-quorum': { catches: ['IC-003'], target: 'fisco-bcos' },
} as const satisfies Record<string, { catches: readonly string[]; target: string }>;
export type FiscoFault = keyof typeof FISCO_FAULTS;

/** Faults made in a copy of dist: [file in dist, the exact text, its replacement], each applied once. */
const PATCHES: Partial<Record<FiscoFault, Array<[string, string, string]>>> = {
  'account-wrong-crypto-mode': [
    ['protocol/account.js', 'export function accountOf', "import { cryptoSuite } from './crypto-suite.js';\nexport function accountOf"],
    ['protocol/account.js', 'suite.hash(xy)', "cryptoSuite(suite.mode === 'sm' ? 'standard' : 'sm').hash(xy)"],
  ],
  'evidence-without-quorum': [['interchain/sealer-signatures.js', 'return sealers - Math.floor((sealers - 1) / 3);', 'return 1;']],
};

const ENTRY: Partial<Record<FiscoFault, (dist: string) => string>> = {
  'receipt-before-sealing': (dist) => `
import { PresetWrites } from '${dist}/preset-writes.js';
import { signTransaction } from '${dist}/protocol/sign-transaction.js';
import factory from '${dist}/index.js';
PresetWrites.prototype.write = async function (plan, signer) {
  const app = await this.c.apps.get(plan.appId);
  const signed = await signTransaction(this.c.suite, await this.c.txs.dataFor(app.address, this.inputOf(plan)), signer);
  // The head as it is before the transaction is sent: never the block that will hold it.
  const head = await this.c.chain.block(await this.c.chain.blockNumber());
  // Sent, not waited for: the node seals it some time later.
  this.c.txs.send(signed, 'a write', Date.now() + 30000).catch(() => {});
  return { txId: signed.hash, requestId: plan.requestId, status: 'committed', block: { number: head.number, hash: head.hash }, events: [], timestamp: head.timestamp };
};
export default factory;
`,
};

/** Writes the variant into `dir` (a plugin folder) and returns it; patched copies of dist go under `.cache/fault-dist/`. */
export function writeFaultyFiscoPlugin(fault: FiscoFault, adapterDir: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(adapterDir, 'bsn-plugin.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.files;
  delete manifest.configSchema;
  writeFileSync(join(dir, 'bsn-plugin.json'), JSON.stringify({ ...manifest, entry: 'index.js', devnets: 'devnets.js' }, null, 2));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `fault-${fault}`, private: true, type: 'module' }));
  const original = pathToFileURL(join(adapterDir, 'dist')).href;
  let dist = original;
  const patches = PATCHES[fault];
  if (patches) {
    // A copy of the built adapter with the lines changed; it imports its packages from the repo's node_modules.
    const root = join(adapterDir, '..', '..', '.cache', 'fault-dist', `fisco-${fault}`);
    rmSync(root, { recursive: true, force: true });
    for (const part of ['dist', 'contracts', 'package.json', 'bsn-plugin.json', 'network-config.schema.json'].filter((p) =>
      existsSync(join(adapterDir, p)),
    ))
      cpSync(join(adapterDir, part), join(root, part), { recursive: true });
    const copy = join(root, 'dist');
    for (const [file, text, replacement] of patches) {
      const source = readFileSync(join(copy, file), 'utf8');
      if (source.split(text).length !== 2)
        throw new Error(`seeded fault ${fault}: "${text}" is not once in dist/${file} any more: update the patch`);
      writeFileSync(join(copy, file), source.replace(text, replacement));
    }
    dist = pathToFileURL(copy).href;
    writeFileSync(join(dir, 'index.js'), `// Seeded fault: ${fault}\nexport { default } from '${dist}/index.js';\n`);
  } else {
    writeFileSync(join(dir, 'index.js'), `// Seeded fault: ${fault}\n${ENTRY[fault]!(dist)}`);
  }
  // The variant runs on the adapter's own, unpatched devnets (the emulator shares the protocol code a patch changes).
  writeFileSync(join(dir, 'devnets.js'), `export { default } from '${original}/devnets/index.js';\n`);
  return dir;
}
