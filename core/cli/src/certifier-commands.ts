/** `bsn certifier new` and `bsn certify`. */
import { existsSync } from 'node:fs';
import { writeFile, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KEY_ALGORITHMS, type KeyAlgorithm, isBsnError, readKeystore, writeKeystore } from '@bsn/contract';
import {
  DEFAULT_VALIDITY_DAYS,
  MAX_VALIDITY_DAYS,
  issueCertificate,
  writeCertificate,
  CERTIFICATE_FILE,
  computePluginDigest,
  PluginRefusedError,
  readManifest,
  resolvePluginSource,
  certifierKeyFromKeystore,
  createCertifier,
} from '@bsn/plugin-host';
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
  const certifier = program.command('certifier').description('manage conformance certifier keys');

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
    .description('turn a passing conformance report into a plugin certificate signed by a certifier key')
    .argument('<report>', 'the conformance report (JSON, schemas/conformance-report.schema.json)')
    .requiredOption('--key <file>', 'the certifier keystore (from `bsn certifier new`)')
    .option(
      '--plugin <path>',
      `the plugin folder or package: checks the report names its current digest, and writes ${CERTIFICATE_FILE} into it`,
    )
    .option('--out <file>', `where to write the certificate (default: <plugin>/${CERTIFICATE_FILE})`)
    .option('--validity-days <n>', `how long the certificate is valid (1–${MAX_VALIDITY_DAYS})`, parseDays, DEFAULT_VALIDITY_DAYS)
    .option('--passphrase-file <file>', 'read the key passphrase from this file (else BSN_PASSPHRASE, else a prompt on a terminal)')
    .addHelpText(
      'after',
      '\nExit codes: 0 written; 1 runtime error (unreadable file, wrong passphrase); 2 usage error;\n3 refused (the report failed, is malformed, or does not match the plugin).',
    )
    .action(
      async (reportPath: string, opts: { key: string; plugin?: string; out?: string; validityDays: number; passphraseFile?: string }) => {
        if (!opts.plugin && !opts.out)
          throw usageError('say where the certificate goes: --plugin <path> (writes bsn-certificate.json there) or --out <file>');
        const report = await readJson(resolve(io.cwd, reportPath), 'report');
        let out = opts.out ? resolve(io.cwd, opts.out) : undefined;
        if (opts.plugin) {
          const source = await resolvePluginSource(opts.plugin, { cwd: io.cwd });
          let manifest;
          try {
            manifest = await readManifest(source.folder, opts.plugin);
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
          out ??= join(source.folder, CERTIFICATE_FILE);
        }
        const keystore = await readKeystore(resolve(io.cwd, opts.key));
        const passphrase = await readPassphrase(io, opts.passphraseFile && resolve(io.cwd, opts.passphraseFile), {
          what: `certifier key ${opts.key}`,
        });
        const key = certifierKeyFromKeystore(keystore, passphrase);
        let certificate;
        try {
          certificate = issueCertificate(report, key, { validityDays: opts.validityDays });
        } catch (err) {
          if (isBsnError(err, 'INVALID_INPUT')) throw refusedExit(`not certified: ${(err as Error).message}`);
          throw err;
        } finally {
          key.privateKey.fill(0);
        }
        await writeCertificate(out!, certificate);
        const p = certificate.payload;
        io.stdout(
          `certified ${p.plugin.name}@${p.plugin.version} ${p.plugin.digest} (${p.level}, ${p.target.kind} ${p.target.name}) until ${p.expiresAt}\n`,
        );
        io.stderr(`certificate written to ${out}\n`);
      },
    );
}
