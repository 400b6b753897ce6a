/** `bsn log new | serve | add | verify`: the certificate transparency log. */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KEY_ALGORITHMS, encryptKey, generatePrivateKey, isBsnError, type KeyAlgorithm } from '@bsn/contract';
import {
  LOG_FILES,
  LogClient,
  LogVerifier,
  TransparencyLog,
  auditLog,
  fileSthStore,
  loadTrustedCertifiers,
  localAuditSource,
  readLogPublicKey,
  readLogSigningKey,
  remoteAuditSource,
  startLogServer,
  type AuditSource,
  type ConsistencyProofSource,
  type LogPublicKey,
} from '@bsn/plugin-host';
import { CliExit, EXIT, readPassphrase, refusedExit, untilStopped, usageError, type CliIo } from './io.js';

export const DEFAULT_LOG_PORT = 8711;

export interface LogCommandOptions {
  /** What `bsn log serve` waits for before stopping; default `untilStopped` (a signal, or the parent gone). Tests pass their own. */
  untilStopped?: () => Promise<string>;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

function parseScryptN(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw new InvalidArgumentError('must be a power of two from 1024 to 1048576');
  }
  return n;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Maps the library's typed errors to exit codes: refusals 3, the rest runtime. */
function exitFor(err: unknown): never {
  if (isBsnError(err, 'INVALID_INPUT') || isBsnError(err, 'UNAUTHORIZED')) throw refusedExit(`refused: ${(err as Error).message}`);
  if (isBsnError(err)) throw new CliExit(EXIT.runtime, (err as Error).message);
  throw err;
}

async function openWithKey(io: CliIo, dir: string, passphraseFile: string | undefined): Promise<TransparencyLog> {
  const passphrase = await readPassphrase(io, passphraseFile && resolve(io.cwd, passphraseFile), { what: `log key in ${dir}` });
  try {
    return await TransparencyLog.open(dir, { signingKey: await readLogSigningKey(dir, passphrase) });
  } catch (err) {
    // A wrong passphrase or a missing folder is a runtime error, not a refusal.
    if (isBsnError(err) || (err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliExit(EXIT.runtime, (err as Error).message);
    throw err;
  }
}

export function registerLogCommands(program: Command, io: CliIo, options: LogCommandOptions = {}): void {
  const log = program
    .command('log')
    .description('run and audit a certificate transparency log (RFC 9162 style) of certificates and revocations');

  log
    .command('new')
    .description('create a log folder: its config, an encrypted log key, and log.pub.json for city nodes to pin')
    .requiredOption('--out <dir>', 'the log folder to create')
    .requiredOption('--name <name>', "the log's name, written into every tree head it signs")
    .option('--certifier <file>', 'a certifier trust entry (certifier.pub.json) whose documents the log accepts; repeatable', collect, [])
    .addOption(new Option('--algorithm <alg>', 'key algorithm').choices([...KEY_ALGORITHMS]).default('secp256r1'))
    .option('--passphrase-file <file>', 'read the passphrase from this file (else BSN_PASSPHRASE, else a prompt on a terminal)')
    .option('--scrypt-n <n>', 'scrypt cost of the keystore encryption (power of two; default 131072)', parseScryptN)
    .addHelpText('after', `\nWrites ${Object.values(LOG_FILES).slice(0, 5).join(', ')}; the log.pub.json entry is printed.`)
    .action(
      async (opts: {
        out: string;
        name: string;
        certifier: string[];
        algorithm: KeyAlgorithm;
        passphraseFile?: string;
        scryptN?: number;
      }) => {
        const dir = resolve(io.cwd, opts.out);
        let certifiers;
        try {
          certifiers = await loadTrustedCertifiers(opts.certifier.map((f) => resolve(io.cwd, f)));
        } catch (err) {
          throw usageError((err as Error).message);
        }
        const passphrase = await readPassphrase(io, opts.passphraseFile && resolve(io.cwd, opts.passphraseFile), {
          confirm: true,
          what: 'new log key',
        });
        const privateKey = generatePrivateKey(opts.algorithm);
        try {
          const keystore = encryptKey({ algorithm: opts.algorithm, privateKey, label: opts.name }, passphrase, {
            ...(opts.scryptN ? { scryptN: opts.scryptN } : {}),
          });
          const created = await TransparencyLog.create(dir, {
            name: opts.name,
            signingKey: { algorithm: opts.algorithm, privateKey },
            certifiers,
            keystore,
          });
          io.stderr(
            `log "${opts.name}" created in ${dir} (keep ${LOG_FILES.signingKey} secret); city nodes pin ${join(dir, LOG_FILES.publicKey)}\n`,
          );
          if (certifiers.length === 0)
            io.stderr(`warning: no --certifier given: the log accepts nothing until ${LOG_FILES.config} lists one\n`);
          io.stdout(`${JSON.stringify(created.publicKey, null, 2)}\n`);
        } catch (err) {
          if (isBsnError(err, 'CONFLICT')) throw new CliExit(EXIT.runtime, `${dir} holds a log already: ${(err as Error).message}`);
          throw err;
        } finally {
          privateKey.fill(0);
        }
      },
    );

  log
    .command('serve')
    .description('serve a log over HTTP: GET /sth, /sths, /proof/inclusion, /proof/consistency, /leaves; POST /leaves')
    .requiredOption('--dir <dir>', 'the log folder')
    .option('--port <n>', `port (0: a free one)`, parsePort, DEFAULT_LOG_PORT)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--passphrase-file <file>', 'read the log key passphrase from this file (else BSN_PASSPHRASE, else a prompt on a terminal)')
    .addHelpText('after', '\nStops on SIGINT/SIGTERM/SIGHUP, or when the process that started it exits.')
    .action(async (opts: { dir: string; port: number; host: string; passphraseFile?: string }) => {
      const dir = resolve(io.cwd, opts.dir);
      const opened = await openWithKey(io, dir, opts.passphraseFile);
      const server = await startLogServer(opened, { port: opts.port, host: opts.host });
      io.stdout(`log "${opened.name}" serving at ${server.url}\n`);
      const signal = await (options.untilStopped ?? untilStopped)();
      io.stderr(`${signal}: stopping\n`);
      await server.close();
    });

  log
    .command('add')
    .description('append a certificate or revocation to a local log folder and print its inclusion evidence')
    .argument('<document>', 'the certificate or revocation (JSON)')
    .requiredOption('--dir <dir>', 'the log folder')
    .option('--out <file>', 'also write the inclusion evidence to this file')
    .option('--passphrase-file <file>', 'read the log key passphrase from this file (else BSN_PASSPHRASE, else a prompt on a terminal)')
    .addHelpText(
      'after',
      '\nExit codes: 0 added (or already present); 1 runtime error; 2 usage error; 3 refused (malformed, or not signed by a certifier the log serves).',
    )
    .action(async (file: string, opts: { dir: string; out?: string; passphraseFile?: string }) => {
      const path = resolve(io.cwd, file);
      let document: unknown;
      try {
        document = JSON.parse(await readFile(path, 'utf8'));
      } catch (err) {
        if (err instanceof SyntaxError) throw refusedExit(`${path} is not valid JSON: ${err.message}`);
        throw new CliExit(EXIT.runtime, `cannot read ${path}: ${(err as Error).message}`);
      }
      const opened = await openWithKey(io, resolve(io.cwd, opts.dir), opts.passphraseFile);
      let result;
      try {
        result = await opened.append(document);
      } catch (err) {
        return exitFor(err);
      }
      const evidence = { log: result.log, leafHash: result.leafHash, index: result.index, proof: result.proof, sth: result.sth };
      const text = `${JSON.stringify(evidence, null, 2)}\n`;
      if (opts.out) await writeFile(resolve(io.cwd, opts.out), text);
      io.stderr(`${result.duplicate ? 'already in the log as' : 'added as'} leaf ${result.index}; tree size ${result.sth.payload.size}\n`);
      io.stdout(text);
    });

  log
    .command('verify')
    .description('audit a log: recompute every head from the leaves and check every signed tree head it kept')
    .option('--dir <dir>', 'a local log folder')
    .option('--url <url>', 'a served log')
    .option('--key <file>', `the log's pinned public key (log.pub.json); required with --url, default <dir>/${LOG_FILES.publicKey}`)
    .option('--state-dir <dir>', 'remember the latest head here, and refuse a log inconsistent with the one remembered')
    .addHelpText(
      'after',
      '\nExit codes: 0 consistent; 1 runtime error (unreadable, unreachable); 2 usage error; 3 the log failed the audit.',
    )
    .action(async (opts: { dir?: string; url?: string; key?: string; stateDir?: string }) => {
      if (!opts.dir === !opts.url) throw usageError('give exactly one of --dir <dir> or --url <url>');
      if (opts.url && !opts.key) throw usageError('--url needs --key <log.pub.json>: a served log cannot vouch for its own key');
      const dir = opts.dir && resolve(io.cwd, opts.dir);
      let key: LogPublicKey;
      try {
        key = await readLogPublicKey(opts.key ? resolve(io.cwd, opts.key) : join(dir!, LOG_FILES.publicKey));
      } catch (err) {
        throw usageError((err as Error).message);
      }
      if (!opts.key) io.stderr(`note: pinning the key in ${dir}; pass --key to pin it independently of the folder\n`);
      let source: AuditSource;
      let consistency: ConsistencyProofSource;
      if (opts.url) {
        const client = new LogClient(opts.url);
        source = remoteAuditSource(client);
        consistency = client.consistency;
      } else {
        source = localAuditSource(dir!);
        // Opened only when needed, after the audit: opening refuses the torn files the audit should name.
        consistency = async (a, b) => (await TransparencyLog.open(dir!)).consistencyProof(a, b);
      }
      let report;
      try {
        report = await auditLog(source, key);
      } catch (err) {
        if (isBsnError(err)) throw new CliExit(EXIT.runtime, (err as Error).message);
        throw new CliExit(EXIT.runtime, `cannot read the log: ${(err as Error).message}`);
      }
      for (const w of report.warnings) io.stderr(`warning: ${w}\n`);
      if (!report.ok) throw refusedExit(`log ${key.name} failed the audit: ${report.problem.message}`);
      if (opts.stateDir) {
        const verifier = new LogVerifier({ log: key, store: fileSthStore(resolve(io.cwd, opts.stateDir), key), consistency });
        const seen = await verifier.observe(report.latest);
        if (!seen.accepted) throw refusedExit(`refused (${seen.reason}): ${seen.message}`);
      }
      const h = report.latest.payload;
      io.stdout(
        `log ${key.name}: ${report.size} leaves, ${report.treeHeads} signed tree heads, all consistent; latest size ${h.size} root ${h.rootHash} at ${new Date(h.timestamp).toISOString()}\n`,
      );
    });
}
