/**
 * `npm start` on a fresh clone: everything a local city node needs, kept under `.bsn/`
 * (git-ignored) — a node passphrase, a local certifier key, a demo user key, certificates
 * for the bundled adapters (earned by running the conformance suite on a local devnet when
 * missing or no longer valid) and the generated config `.bsn/node.yaml`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { stringify as toYaml } from 'yaml';
import {
  CERTIFIABLE_KINDS,
  type KeyAlgorithm,
  generatePrivateKey,
  publicKeyOf,
  readKeystore,
  writeKeystore,
  fromHex,
  toHex,
} from '@bsn/contract';
import {
  issueCertificate,
  type SuiteCatalog,
  writeCertificate,
  PluginHost,
  readManifest,
  loadDevnetProvider,
  certifierKeyFromKeystore,
  createCertifier,
  parseTrustedCertifiers,
  type TrustedCertifier,
} from '@bsn/plugin-host';
import { resolveNodeConfig, type NodeConfig } from './config.js';

export interface DemoUserKey {
  user: string;
  algorithm: KeyAlgorithm;
  /** hex */
  privateKey: string;
  publicKey: string;
}

export interface ConformanceKitCli {
  runConformanceCli(args: string[]): Promise<number>;
  /** The pinned suite a report must be a complete, passing run of. */
  suiteCatalog(): Promise<SuiteCatalog>;
}

export interface QuickstartResult {
  config: NodeConfig;
  passphrase: string;
  demo: DemoUserKey;
  demoKeyFile: string;
  /** The operator's key file (role operator, portal `operators`): the operator page's sign-in. */
  operatorKeyFile: string;
  configFile: string;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function secretFile(path: string, make: () => string): Promise<string> {
  if (existsSync(path)) return (await readFile(path, 'utf8')).trim();
  const value = make();
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  return value;
}

export async function readDemoKey(path: string): Promise<DemoUserKey> {
  return JSON.parse(await readFile(path, 'utf8')) as DemoUserKey;
}

/**
 * Prepares `.bsn/` under `root` and returns the config to start. `kit` runs the conformance
 * suite (the CLI passes `@bsn/conformance/cli`, found at run time); without it, adapters
 * lacking a certificate stay uncertified and the node will refuse them.
 */
export async function prepareQuickstart(o: {
  root: string;
  env: Record<string, string | undefined>;
  progress: (line: string) => void;
  kit?: ConformanceKitCli;
  restPort?: number;
  grpcPort?: number;
  /**
   * Only these bundled adapters (folder names under adapters/), and no .bsn/node.yaml written:
   * what `bsn interchain demo` needs, without replacing the quickstart's own config.
   */
  only?: string[];
}): Promise<QuickstartResult> {
  const dir = join(o.root, '.bsn');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const passphrase =
    o.env['BSN_NODE_PASSPHRASE'] || (await secretFile(join(dir, 'node-passphrase'), () => randomBytes(24).toString('base64url')));

  // The local certifier: trusted by this node only.
  const certKeyFile = join(dir, 'certifier.json');
  const certPubFile = join(dir, 'certifier.pub.json');
  let trust: TrustedCertifier;
  if (existsSync(certKeyFile) && existsSync(certPubFile)) {
    trust = parseTrustedCertifiers(JSON.parse(await readFile(certPubFile, 'utf8')), certPubFile)[0]!;
  } else {
    o.progress('creating a local certifier key (.bsn/certifier.json) for the bundled adapters');
    const created = createCertifier({ name: `local certifier (${hostname()})`, passphrase, keystore: { scryptN: 16384 } });
    await writeKeystore(certKeyFile, created.keystore, { overwrite: true });
    await writeFile(certPubFile, `${JSON.stringify(created.trust, null, 2)}\n`);
    trust = created.trust;
  }

  // A BSN key file, made once: what `bsn node sign --key` and the pages' sign-in read.
  const userKeyFile = async (file: string, user: string): Promise<DemoUserKey> =>
    JSON.parse(
      await secretFile(file, () => {
        const privateKey = generatePrivateKey('secp256r1');
        return JSON.stringify({
          user,
          algorithm: 'secp256r1',
          privateKey: toHex(privateKey),
          publicKey: toHex(publicKeyOf('secp256r1', privateKey)),
        });
      }),
    ) as DemoUserKey;
  // The demo user, admin of the demo portal, signs the README's curl requests.
  const demoKeyFile = join(dir, 'demo-user.json');
  const demo = await userKeyFile(demoKeyFile, 'demo');
  // The node's operator (the pages' operator view; portals managed at run time), in a portal of its own.
  const operatorKeyFile = join(dir, 'operator-user.json');
  const operator = await userKeyFile(operatorKeyFile, 'operator');

  // The bundled adapters: certify those without a valid certificate from the local certifier.
  const adaptersDir = join(o.root, 'adapters');
  const plugins: Array<Record<string, unknown>> = [];
  const provisional: string[] = [];
  // A certificate of an older suite than the kit's is re-earned, as the node would refuse it.
  const suiteVersion = o.kit && (await o.kit.suiteCatalog()).version;
  // Emulator-earned (provisional) certificates are kept: the node below then loads them, with a warning.
  const host = new PluginHost({
    trustedCertifiers: [trust],
    requireFull: false,
    logger: quiet,
    cwd: o.root,
    ...(suiteVersion && { suites: { current: suiteVersion } }),
  });
  for (const name of existsSync(adaptersDir) ? readdirSync(adaptersDir).sort() : []) {
    const folder = join(adaptersDir, name);
    if (!existsSync(join(folder, 'bsn-plugin.json'))) continue;
    if (o.only && !o.only.includes(name)) continue;
    const manifest = await readManifest(folder);
    const provider = await loadDevnetProvider(folder);
    const devnet = provider?.local;
    if (!provider || !devnet) {
      o.progress(`adapter ${manifest.name}: contributes no devnet (its manifest names no \`devnets\` module); not served`);
      continue;
    }
    const kind = provider.devnets[devnet]?.().kind;
    if (!kind || !CERTIFIABLE_KINDS.includes(kind)) {
      o.progress(
        `adapter ${manifest.name}: its local devnet ${devnet} is ${kind ? `a ${kind} target, not a chain` : 'not among its devnets'}; not served`,
      );
      continue;
    }
    const certificate = join(dir, 'certificates', `${name}.json`);
    const check = existsSync(certificate) ? await host.verify(folder, { certificate }) : undefined;
    if (check?.accepted && check.certified) {
      const level = check.certificate?.payload.level;
      if (level === 'provisional') provisional.push(manifest.name);
      o.progress(
        `adapter ${manifest.name}@${manifest.version}: certified${level === 'provisional' ? ' provisionally' : ''} (${relative(o.root, certificate)})`,
      );
    } else if (!o.kit) {
      o.progress(`adapter ${manifest.name}: not certified and the conformance kit is not installed; the node will refuse it`);
    } else {
      o.progress(
        `adapter ${manifest.name}@${manifest.version}: ${check ? `certificate no longer valid (${check.refusal?.reason})` : 'no certificate yet'} — running the conformance suite on ${devnet} (a few minutes)…`,
      );
      const out = join(dir, 'conformance', name);
      const code = await o.kit.runConformanceCli(['run', '--adapter', folder, '--target', devnet, '--out', out]);
      const reportFile = join(out, 'conformance-report.json');
      if (code === 0 && existsSync(reportFile)) {
        const keystore = await readKeystore(certKeyFile);
        const key = certifierKeyFromKeystore(keystore, passphrase);
        try {
          await mkdir(join(dir, 'certificates'), { recursive: true });
          const cert = issueCertificate(JSON.parse(await readFile(reportFile, 'utf8')), key, {
            suite: await o.kit.suiteCatalog(),
            validityDays: 30,
          });
          await writeCertificate(certificate, cert);
          if (cert.payload.level === 'provisional') provisional.push(manifest.name);
          o.progress(
            `adapter ${manifest.name}: certified by the local certifier (${cert.payload.level}, until ${cert.payload.expiresAt.slice(0, 10)})`,
          );
        } finally {
          key.privateKey.fill(0);
        }
      } else {
        o.progress(
          `adapter ${manifest.name}: the conformance suite did not pass (exit ${code}; report in ${relative(o.root, out)}); the node will refuse it`,
        );
      }
    }
    // The report the suite wrote when this quickstart certified it: the operator page renders it
    // (and says whether it is the run the certificate names).
    const report = join(dir, 'conformance', name, 'conformance-report.json');
    plugins.push({
      source: `./adapters/${name}`,
      certificate: `./.bsn/certificates/${name}.json`,
      ...(existsSync(report) && { report: `./.bsn/conformance/${name}/conformance-report.json` }),
      networks: [{ name: `local-${devnet}`, devnet }],
    });
  }

  const doc = {
    node: { name: 'local-city-node', dataDir: '.bsn/node' },
    listen: { host: '127.0.0.1', restPort: o.restPort ?? 8080, grpcPort: o.grpcPort ?? 9090 },
    registry: { kind: 'sqlite' },
    keys: { scryptN: 16384, passphraseFile: '.bsn/node-passphrase' },
    // A bundled adapter certifiable only on an emulator (FISCO BCOS) holds a provisional certificate.
    trust: { certifiers: ['.bsn/certifier.pub.json'], ...(provisional.length > 0 && { requireFull: false }) },
    plugins,
    portals: [
      {
        code: 'demo',
        name: 'Demo portal',
        users: [{ code: demo.user, algorithm: demo.algorithm, publicKey: demo.publicKey, keyMode: 'hosted', role: 'admin' }],
      },
      {
        code: 'operators',
        name: "The node's operators",
        users: [{ code: operator.user, algorithm: operator.algorithm, publicKey: operator.publicKey, keyMode: 'hosted', role: 'operator' }],
      },
    ],
  };
  if (provisional.length > 0) {
    o.progress(
      `trust.requireFull: false — ${provisional.join(', ')} ${provisional.length === 1 ? 'holds a provisional certificate' : 'hold provisional certificates'} (earned on an emulator); the node loads ${provisional.length === 1 ? 'it' : 'them'} with a warning`,
    );
  }
  if (o.env['BSN_NODE_PASSPHRASE']) delete (doc.keys as Record<string, unknown>)['passphraseFile'];
  const configFile = join(dir, 'node.yaml');
  if (!o.only) {
    await writeFile(
      configFile,
      `# Generated by \`npm start\` (bsn node start without --config). Copy and edit it to run your own node.\n${toYaml(doc)}`,
    );
  }
  return { config: resolveNodeConfig(doc, o.root, o.env), passphrase, demo, demoKeyFile, operatorKeyFile, configFile };
}

export function demoPrivateKey(demo: DemoUserKey): Uint8Array {
  return fromHex(demo.privateKey);
}
