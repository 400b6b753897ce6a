/** `bsn plugin inspect` and `bsn plugin verify`. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import semver from 'semver';
import { ADAPTER_API_VERSION, verifyDocument } from '@bsn/contract';
import type { Logger } from '@bsn/contract';
import {
  CERTIFICATE_DOMAIN,
  certificateViolations,
  readCertificateFile,
  type PluginCertificate,
  CERTIFICATE_FILE,
  computePluginDigest,
  PluginRefusedError,
  PluginHost,
  type PluginVerification,
  readManifest,
  resolvePluginSource,
  loadTrustedCertifiers,
  LogClient,
  LogVerifier,
  RevocationWatcher,
  logTransparency,
  memorySthStore,
  readLogPublicKey,
  type ConsistencyProofSource,
  type PluginHostOptions,
  type TrustedCertifier,
} from '@bsn/plugin-host';
import { CliExit, EXIT, refusedExit, usageError, type CliIo } from './io.js';

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}

function ioLogger(io: CliIo): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (message) => io.stderr(`warning: ${message}\n`),
    error: (message) => io.stderr(`error: ${message}\n`),
  };
}

interface CertificateSummary {
  present: boolean;
  path: string;
  problems: string[];
  certificate?: PluginCertificate;
  signatureValid?: boolean;
  digestMatches?: boolean;
  expired?: boolean;
}

async function summarizeCertificate(path: string, digest: string): Promise<CertificateSummary> {
  let raw: unknown;
  try {
    raw = await readCertificateFile(path);
  } catch (err) {
    return { present: true, path, problems: [`unreadable: ${(err as Error).message}`] };
  }
  if (raw === undefined) return { present: false, path, problems: [] };
  const problems = certificateViolations(raw);
  if (problems.length > 0) return { present: true, path, problems };
  const certificate = raw as PluginCertificate;
  const signature = verifyDocument(certificate, CERTIFICATE_DOMAIN);
  if (!signature.ok) problems.push(`signature invalid: ${signature.reason}`);
  const digestMatches = certificate.payload.plugin.digest === digest;
  if (!digestMatches) problems.push(`certified digest ${certificate.payload.plugin.digest} differs from the content digest`);
  const now = Date.now();
  const expired = now >= Date.parse(certificate.payload.expiresAt) || now < Date.parse(certificate.payload.issuedAt);
  if (expired) problems.push(`outside its validity period ${certificate.payload.issuedAt} – ${certificate.payload.expiresAt}`);
  return { present: true, path, problems, certificate, signatureValid: signature.ok, digestMatches, expired };
}

function printVerification(io: CliIo, v: PluginVerification): void {
  for (const check of v.checks) {
    const mark = check.ok ? 'ok  ' : check.downgraded ? 'WARN' : 'FAIL';
    const [first, ...rest] = check.message.split('\n');
    io.stdout(`${mark}  ${check.check.padEnd(19)} ${first}\n`);
    for (const line of rest) io.stdout(`${' '.repeat(26)}${line}\n`);
  }
}

export function registerPluginCommands(program: Command, io: CliIo): void {
  const plugin = program.command('plugin').description('inspect and verify framework adapter plugins');

  plugin
    .command('inspect')
    .description("show a plugin's manifest, content digest, file count and certificate (no trust decision)")
    .argument('<plugin>', 'plugin folder path or installed npm package name')
    .option('--certificate <file>', `certificate file (default: <plugin>/${CERTIFICATE_FILE})`)
    .option('--files', 'also list the files the digest covers')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 shown; 1 runtime error; 3 the manifest is invalid.')
    .action(async (spec: string, opts: { certificate?: string; files?: boolean; json?: boolean }) => {
      const source = await resolvePluginSource(spec, { cwd: io.cwd });
      let manifest;
      try {
        manifest = await readManifest(source.folder, spec);
      } catch (err) {
        if (err instanceof PluginRefusedError) throw refusedExit(err.message);
        throw err;
      }
      const digest = await computePluginDigest(source.folder, manifest.files);
      const certificate = await summarizeCertificate(
        opts.certificate ? resolve(io.cwd, opts.certificate) : join(source.folder, CERTIFICATE_FILE),
        digest.digest,
      );
      const apiCompatible = semver.satisfies(ADAPTER_API_VERSION, manifest.adapterApi);
      if (opts.json) {
        io.stdout(
          json({
            folder: source.folder,
            manifest,
            adapterApi: { required: manifest.adapterApi, host: ADAPTER_API_VERSION, compatible: apiCompatible },
            digest: digest.digest,
            files: digest.files,
            ...(opts.files ? { paths: digest.paths } : {}),
            certificate,
          }),
        );
        return;
      }
      const rows: Array<[string, string]> = [
        ['plugin', `${manifest.name}@${manifest.version} (${manifest.framework})`],
        ['folder', source.folder],
        ['adapter API', `${manifest.adapterApi} (this host: ${ADAPTER_API_VERSION}, ${apiCompatible ? 'compatible' : 'INCOMPATIBLE'})`],
        ['entry', manifest.entry],
        ['capabilities', manifest.capabilities.join(', ')],
        ['key algorithms', manifest.keyAlgorithms.join(', ')],
        ['chain versions', manifest.frameworkVersions.join(' | ')],
        ['digest', digest.digest],
        ['files', String(digest.files)],
      ];
      if (!certificate.present) {
        rows.push(['certificate', `none (${certificate.path})`]);
      } else if (!certificate.certificate) {
        rows.push(['certificate', `INVALID (${certificate.path})`]);
      } else {
        const p = certificate.certificate.payload;
        const s = certificate.certificate.signature;
        rows.push(
          ['certificate', certificate.path],
          ['  certifier', `${p.certifier.name} (key ${s.keyId}), signature ${certificate.signatureValid ? 'valid' : 'INVALID'}`],
          ['  level', p.level],
          ['  target', `${p.target.kind} ${p.target.name} (${p.target.node})`],
          ['  suite', `${p.suite.name} ${p.suite.version}`],
          ['  valid', `${p.issuedAt} – ${p.expiresAt}${certificate.expired ? ' (NOT NOW)' : ''}`],
          ['  digest', certificate.digestMatches ? 'matches the content' : `DOES NOT MATCH (certified ${p.plugin.digest})`],
          ['  plugin', `${p.plugin.name}@${p.plugin.version}`],
        );
      }
      io.stdout(table(rows));
      for (const problem of certificate.problems) io.stdout(`  ! ${problem}\n`);
      if (opts.files) for (const path of digest.paths) io.stdout(`  ${path}\n`);
    });

  plugin
    .command('verify')
    .description(
      "run the city node's admission checks on a plugin: manifest, adapter API, certificate (trusted signer, validity, digest, level), entry",
    )
    .argument('<plugin>', 'plugin folder path or installed npm package name')
    .option('--trust <files...>', 'trusted certifier files (certifier.pub.json, or a list); repeatable')
    .option('--dev', 'development mode: accept an uncertified plugin with a loud warning')
    .option('--allow-provisional', 'accept a provisional (emulator-earned) certificate')
    .option('--certificate <file>', `certificate file (default: <plugin>/${CERTIFICATE_FILE})`)
    .option('--revocations <sources...>', 'revocation lists (files or URLs) of the trusted certifiers: a revoked certificate is refused')
    .option(
      '--log-key <file>',
      'require the certificate in this transparency log (its log.pub.json); evidence from <certificate>.log.json or --log-url',
    )
    .option('--log-url <url>', 'the log to fetch inclusion and consistency proofs from')
    .option('--no-import', 'do not import the entry module (skips running plugin code; the factory is not checked)')
    .option('--json', 'print the verification as JSON')
    .addHelpText('after', '\nExit codes: 0 accepted; 1 runtime error; 2 usage error; 3 refused (the reason is printed on stderr).')
    .action(
      async (
        spec: string,
        opts: {
          trust?: string[];
          dev?: boolean;
          allowProvisional?: boolean;
          certificate?: string;
          revocations?: string[];
          logKey?: string;
          logUrl?: string;
          import: boolean;
          json?: boolean;
        },
      ) => {
        const trustedCertifiers = await loadTrustedCertifiers((opts.trust ?? []).map((p) => resolve(io.cwd, p)));
        if (opts.logUrl && !opts.logKey) throw usageError('--log-url needs --log-key <log.pub.json>: a log cannot vouch for its own key');
        const host = new PluginHost({
          ...(await admissionOptions(io, trustedCertifiers, opts)),
          trustedCertifiers,
          requireFull: !opts.allowProvisional,
          dev: opts.dev ?? false,
          logger: ioLogger(io),
          cwd: io.cwd,
        });
        const verification = await host.verify(spec, {
          importEntry: opts.import,
          ...(opts.certificate ? { certificate: resolve(io.cwd, opts.certificate) } : {}),
        });
        if (opts.json) {
          const { factory: _factory, refusal, ...rest } = verification;
          io.stdout(json({ ...rest, ...(refusal ? { refusal: refusal.toJSON() } : {}) }));
        } else {
          printVerification(io, verification);
        }
        if (!verification.accepted) {
          const refusal = verification.refusal;
          throw refusedExit(refusal ? `refused (${refusal.reason}): ${refusal.message}` : `plugin ${spec} refused`);
        }
        if (!opts.json) {
          const m = verification.manifest!;
          io.stdout(
            `accepted: ${m.name}@${m.version} ${verification.digest!.digest}${verification.certified ? ` certified by ${verification.certifier!.name} (${verification.certificate!.payload.level})` : ' UNCERTIFIED (development mode)'}\n`,
          );
        }
      },
    );
}

/** `--revocations` and `--log-key` as host options: the same checks a node configured with `trust.revocations` and `trust.log` runs. */
async function admissionOptions(
  io: CliIo,
  trusted: TrustedCertifier[],
  opts: { revocations?: string[]; logKey?: string; logUrl?: string },
): Promise<Pick<PluginHostOptions, 'revocations' | 'transparency'>> {
  const options: Pick<PluginHostOptions, 'revocations' | 'transparency'> = {};
  if (opts.revocations?.length) {
    const sources = opts.revocations.map((s) => (/^https?:\/\//.test(s) ? s : resolve(io.cwd, s)));
    const problems: string[] = [];
    const watcher = new RevocationWatcher(sources, trusted, (source, message) => problems.push(`${source}: ${message}`));
    await watcher.refresh();
    if (problems.length) throw new CliExit(EXIT.runtime, `cannot load the revocation lists:\n${problems.join('\n')}`);
    options.revocations = watcher;
  }
  if (opts.logKey) {
    const key = await readLogPublicKey(resolve(io.cwd, opts.logKey));
    const client = opts.logUrl ? new LogClient(opts.logUrl) : undefined;
    const consistency: ConsistencyProofSource = client
      ? client.consistency
      : () => Promise.reject(new Error('no --log-url to fetch a consistency proof from'));
    // No remembered head: a one-off check trusts the evidence's head on first use (a node remembers its own).
    options.transparency = logTransparency(new LogVerifier({ log: key, store: memorySthStore(), consistency }), client);
  }
  return options;
}
