/** `bsn certifier new` and `bsn certify`. */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KEY_ALGORITHMS, type KeyAlgorithm, isBsnError, readKeystore, writeKeystore } from '@bsn/contract';
import {
  DEFAULT_VALIDITY_DAYS,
  MAX_VALIDITY_DAYS,
  issueCertificate,
  writeCertificate,
  CERTIFICATE_FILE,
  CERTIFICATE_LOG_FILE,
  LogClient,
  evidencePathFor,
  computePluginDigest,
  PluginRefusedError,
  readManifest,
  resolvePluginSource,
  certifierKeyFromKeystore,
  createCertifier,
  loadTrustedCertifiers,
  verifyReportAttestation,
  type ConformanceReport,
  type InclusionEvidence,
} from '@bsn/plugin-host';
import { conformanceKit } from './conformance-kit.js';
import { registerRevokeCommand } from './revoke-command.js';
import { CliExit, EXIT, readPassphrase, refusedExit, usageError, type CliIo } from './io.js';

function parseDays(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_VALIDITY_DAYS) {
    throw new InvalidArgumentError(`must be a whole number of days from 1 to ${MAX_VALIDITY_DAYS}`);
  }
  return n;
}

function parseScryptN(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw new InvalidArgumentError('must be a power of two from 1024 to 1048576');
  }
  return n;
}

/** `certifier.json` → `certifier.pub.json`; other names get `.pub.json` appended. */
export function publicFileFor(keyPath: string): string {
  return keyPath.endsWith('.json') ? `${keyPath.slice(0, -'.json'.length)}.pub.json` : `${keyPath}.pub.json`;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliExit(EXIT.runtime, `cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw refusedExit(`the ${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function registerCertifierCommands(program: Command, io: CliIo): void {
  const certifier = program.command('certifier').description('manage conformance certifier keys and revoke certificates');
  registerRevokeCommand(certifier, io);

  certifier
    .command('new')
    .description('create a certifier key: an encrypted keystore file and its public trust entry for city nodes')
    .requiredOption('--out <file>', 'where to write the encrypted private key (keystore format)')
    .option('--name <name>', "the certifier's name, written into every certificate it issues", `certifier@${hostname()}`)
    .addOption(new Option('--algorithm <alg>', 'key algorithm').choices([...KEY_ALGORITHMS]).default('secp256r1'))
    .option('--pub-out <file>', 'where to write the public trust entry (default: <out> with .pub.json)')
    .option('--passphrase-file <file>', 'read the passphrase from this file (else BSN_PASSPHRASE, else a prompt on a terminal)')
    .option('--scrypt-n <n>', 'scrypt cost of the keystore encryption (power of two; default 131072)', parseScryptN)
    .option('--force', 'overwrite existing files')
    .addHelpText(
      'after',
      '\nThe trust entry { name, algorithm, publicKey, keyId } is printed and written to the .pub.json file;\ncity nodes pass it to `bsn plugin verify --trust` (or list it in their configuration).',
    )
    .action(
      async (opts: {
        out: string;
        name: string;
        algorithm: KeyAlgorithm;
        pubOut?: string;
        passphraseFile?: string;
        scryptN?: number;
        force?: boolean;
      }) => {
        const out = resolve(io.cwd, opts.out);
        const pubOut = resolve(io.cwd, opts.pubOut ?? publicFileFor(opts.out));
        if (pubOut === out) throw usageError('--pub-out must differ from --out');
        if (!opts.force) {
          for (const path of [out, pubOut]) {
            if (existsSync(path))
              throw new CliExit(EXIT.runtime, `${path} exists already; refusing to overwrite it (use --force to overwrite)`);
          }
        }
        const passphrase = await readPassphrase(io, opts.passphraseFile && resolve(io.cwd, opts.passphraseFile), {
          confirm: true,
          what: 'new certifier key',
        });
        const created = createCertifier({
          name: opts.name,
          algorithm: opts.algorithm,
          passphrase,
          ...(opts.scryptN ? { keystore: { scryptN: opts.scryptN } } : {}),
        });
        try {
          await writeKeystore(out, created.keystore, { overwrite: opts.force ?? false });
          await writeFile(pubOut, `${JSON.stringify(created.trust, null, 2)}\n`, { flag: opts.force ? 'w' : 'wx' });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EEXIST' || isBsnError(err, 'CONFLICT')) {
            throw new CliExit(EXIT.runtime, `${(err as Error).message} (use --force to overwrite)`);
          }
          throw err;
        }
        io.stderr(`certifier key written to ${out} (keep it secret); trust entry written to ${pubOut}\n`);
        io.stdout(`${JSON.stringify(created.trust, null, 2)}\n`);
      },
    );

  program
    .command('certify')
    .description(
      'certify a plugin: run the suite on it and sign in one step (--adapter --target), or sign a report a trusted runner signed',
    )
    .argument('[report]', 'a conformance report signed by a runner this certifier trusts (see --trust-runner)')
    .requiredOption('--key <file>', 'the certifier keystore (from `bsn certifier new`)')
    .option('--adapter <path>', 'run the pinned suite on this plugin now (with --target) and certify the result')
    .option('--target <name|config>', 'with --adapter: a devnet the adapter contributes, or a network config file')
    .option('--trust-runner <file...>', 'trust entries of runners whose signed reports this certifier accepts')
    .option(
      '--plugin <path>',
      `the plugin folder or package: checks the report names its current digest, and writes ${CERTIFICATE_FILE} into it`,
    )
    .option('--out <file>', `where to write the certificate (default: <plugin>/${CERTIFICATE_FILE})`)
    .option('--report-dir <dir>', 'with --adapter: where the run writes its report (default: a temporary folder)')
    .option(
      '--log <url>',
      `append the certificate to this transparency log and write its inclusion evidence beside it (${CERTIFICATE_LOG_FILE})`,
    )
    .option('--validity-days <n>', `how long the certificate is valid (1–${MAX_VALIDITY_DAYS})`, parseDays, DEFAULT_VALIDITY_DAYS)
    .option('--passphrase-file <file>', 'read the key passphrase from this file (else BSN_PASSPHRASE, else a prompt on a terminal)')
    .addHelpText(
      'after',
      '\nOnly a complete, passing run of the pinned suite certifies: every case of its version present,\nno MUST case of a claimed capability failed or skipped, not partial (--only), on a chain target.\n' +
        'Exit codes: 0 written; 1 runtime error (unreadable file, wrong passphrase); 2 usage error;\n3 refused (incomplete, failed, unsigned or untrusted report, or one that does not match the plugin).',
    )
    .action(async (reportPath: string | undefined, opts: CertifyOptions) => {
      if (reportPath && opts.adapter) throw usageError('give either a report or --adapter --target, not both');
      if (!reportPath && !opts.adapter)
        throw usageError('give a signed report, or --adapter <plugin> --target <target> to run the suite now');
      if (opts.adapter && !opts.target)
        throw usageError('--adapter needs --target (a devnet the adapter contributes, or a network config file)');
      const pluginSpec = opts.adapter ?? opts.plugin;
      if (!pluginSpec && !opts.out)
        throw usageError('say where the certificate goes: --plugin <path> (writes bsn-certificate.json there) or --out <file>');
      const kit = await conformanceKit();
      const suite = await kit.suiteCatalog();
      const keystore = await readKeystore(resolve(io.cwd, opts.key));
      const passphrase = await readPassphrase(io, opts.passphraseFile && resolve(io.cwd, opts.passphraseFile), {
        what: `certifier key ${opts.key}`,
      });
      const key = certifierKeyFromKeystore(keystore, passphrase);
      try {
        let report: unknown;
        if (opts.adapter) {
          // The certifier's own run of the pinned suite: nothing to trust but the run itself.
          const outDir = opts.reportDir ? resolve(io.cwd, opts.reportDir) : await mkdtemp(join(tmpdir(), 'bsn-certify-'));
          ({ report } = await kit.runConformance({
            adapter: resolve(io.cwd, opts.adapter),
            target: opts.target!,
            outDir,
            print: (l) => io.stderr(`${l}\n`),
          }));
        } else {
          report = await readJson(resolve(io.cwd, reportPath!), 'report');
          const runners = await loadTrustedCertifiers((opts.trustRunner ?? []).map((f) => resolve(io.cwd, f)));
          try {
            const runner = verifyReportAttestation(report as ConformanceReport, runners);
            io.stderr(`the report is signed by trusted runner ${runner.name}\n`);
          } catch (err) {
            if (isBsnError(err, 'INVALID_INPUT')) throw refusedExit(`not certified: ${(err as Error).message}`);
            throw err;
          }
        }
        const out = opts.out ? resolve(io.cwd, opts.out) : pluginSpec ? await checkedPluginFolder(pluginSpec, report, io) : undefined;
        let certificate;
        try {
          certificate = issueCertificate(report, key, { suite, validityDays: opts.validityDays });
        } catch (err) {
          if (isBsnError(err, 'INVALID_INPUT')) throw refusedExit(`not certified: ${(err as Error).message}`);
          throw err;
        }
        let evidence: InclusionEvidence | undefined;
        if (opts.log) {
          // Logged before anything is written: a certificate a node would refuse as unlogged is never left behind.
          try {
            const { duplicate: _duplicate, ...logged } = await new LogClient(opts.log).submit(certificate);
            evidence = logged;
          } catch (err) {
            throw new CliExit(EXIT.runtime, `the log ${opts.log} did not take the certificate; nothing written: ${(err as Error).message}`);
          }
          io.stderr(`logged at index ${evidence.index} under a tree head of size ${evidence.sth.payload.size}\n`);
        }
        await writeCertificate(out!, certificate);
        if (evidence) await writeFile(evidencePathFor(out!), `${JSON.stringify(evidence, null, 2)}\n`);
        const p = certificate.payload;
        io.stdout(
          `certified ${p.plugin.name}@${p.plugin.version} ${p.plugin.digest} (${p.level}, ${p.target.kind} ${p.target.name}) until ${p.expiresAt}\n`,
        );
        io.stderr(`certificate written to ${out}${evidence ? ` (log evidence in ${evidencePathFor(out!)})` : ''}\n`);
      } finally {
        key.privateKey.fill(0);
      }
    });
}

interface CertifyOptions {
  key: string;
  log?: string;
  adapter?: string;
  target?: string;
  trustRunner?: string[];
  plugin?: string;
  out?: string;
  reportDir?: string;
  validityDays: number;
  passphraseFile?: string;
}

/** The plugin's folder, once the report is shown to be about exactly its current build; where the certificate goes. */
async function checkedPluginFolder(spec: string, report: unknown, io: CliIo): Promise<string> {
  const source = await resolvePluginSource(spec, { cwd: io.cwd });
  let manifest;
  try {
    manifest = await readManifest(source.folder, spec);
  } catch (err) {
    if (err instanceof PluginRefusedError) throw refusedExit(err.message);
    throw err;
  }
  const digest = await computePluginDigest(source.folder, manifest.files);
  const adapter = (report as { adapter?: { name?: unknown; version?: unknown; digest?: unknown } } | null)?.adapter;
  if (adapter?.digest !== digest.digest) {
    throw refusedExit(
      `the report is for content digest ${String(adapter?.digest)}, but the plugin in ${source.folder} has ${digest.digest} — re-run the suite on this build`,
    );
  }
  if (adapter.name !== manifest.name || adapter.version !== manifest.version) {
    throw refusedExit(
      `the report is for ${String(adapter.name)}@${String(adapter.version)}, but the plugin is ${manifest.name}@${manifest.version}`,
    );
  }
  return join(source.folder, CERTIFICATE_FILE);
}
