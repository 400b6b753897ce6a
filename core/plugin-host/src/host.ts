/**
 * The plugin host: decides whether a framework adapter plugin may run in this city node,
 * and loads it: its factory, with the network config checked against the plugin's own
 * `configSchema` before every `connect()`.
 *
 * Checks, in order, stopping at the first failure (each refusal a PluginRefusedError):
 *  1. `manifest`             bsn-plugin.json valid against its schema       → manifest-invalid
 *  2. `adapter-api`          ADAPTER_API_VERSION satisfies `adapterApi`     → api-incompatible
 *  +  `dependencies`         every production dependency installed         → dependency-missing
 *  3. `certificate-present`  bsn-certificate.json exists and is JSON        → certificate-missing / -invalid
 *  4. `certificate-valid`    certificate schema + signature                 → certificate-invalid
 *  5. `certificate-trusted`  signed by one of `trustedCertifiers`            → certificate-untrusted
 *  6. `certificate-period`   issuedAt ≤ now < expiresAt                      → certificate-expired
 *  7. `certificate-subject`  names this name/version/framework              → certificate-invalid
 *                            and the recomputed content digest              → digest-mismatch
 *  8. `certificate-level`    `full`, unless `requireFull: false`             → certificate-provisional
 *  + `certificate-suite`     a suite version the node accepts (when given)   → certificate-outdated
 *  + `certificate-revoked`   not revoked by its certifier (when revocations are given) → certificate-revoked
 *  + `certificate-logged`    in the transparency log (when one is required)  → certificate-unlogged
 *  9. `entry`                the entry file is inside the folder, covered by the digest, and
 *                            (when imported) exports an AdapterFactory        → entry-invalid
 * In development mode (`dev: true`) a failure of 3–8 is logged as a loud warning and the
 * remaining certificate checks are skipped; 1, 2 and 9 still refuse.
 *
 * The digest is computed before the entry is imported; a file swapped between the two
 * would go unnoticed, so plugin folders must not be writable by anyone the node does not trust.
 */
import { join } from 'node:path';
import semver from 'semver';
import type { AdapterFactory, Logger } from '@bsn/contract';
import { ADAPTER_API_VERSION, verifyDocument } from '@bsn/contract';
import { CERTIFICATE_DOMAIN, certificateViolations, readCertificateFile, type PluginCertificate } from './certificate.js';
import { CERTIFICATE_FILE, computePluginDigest, memoryDigestCache, type DigestCache, type PluginDigest } from './digest.js';
import { MissingDependencyError } from './dependencies.js';
import { revocationOf, type RevocationState } from './revocation-list.js';
import type { InclusionEvidence } from './transparency/log.js';
import type { LogVerifier } from './transparency/verifier.js';
import { CERTIFICATE_REASONS, PluginRefusedError, type RefusalReason } from './errors.js';
import { checkEntryFile, importEntry } from './loader.js';
import { checkedFactory, networkConfigCheck, type NetworkConfigCheck } from './network-config.js';
import { normaliseRelativePath, readManifest, type PluginManifest } from './manifest.js';
import { resolvePluginSource, type ResolvedPluginSource } from './plugin-source.js';
import { findTrustedCertifier, type TrustedCertifier } from './trust.js';

export interface PluginHostOptions {
  /** Certifiers whose certificates this node accepts (see `loadTrustedCertifiers`). */
  trustedCertifiers: readonly TrustedCertifier[];
  /** Refuse provisional (emulator-earned) certificates. Default true. */
  requireFull?: boolean;
  /** Development mode: load uncertified plugins with a warning. Default false. */
  dev?: boolean;
  /** Clock for certificate validity. Default `() => new Date()`. */
  now?: () => Date;
  /** Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Where package names are resolved from. Default `process.cwd()`. */
  cwd?: string;
  /** File hashes kept between verifications (see digest.ts). Default: one per host, in memory. */
  digestCache?: DigestCache;
  /**
   * The conformance suite versions this node accepts certificates of: `current`'s major, and
   * each of `previous` (version → RFC 3339 date) until its date, with a warning. Without it,
   * any suite version is accepted.
   */
  suites?: { current: string; previous?: Record<string, string> };
  /** What the trusted certifiers revoked (a RevocationWatcher); a revoked certificate is refused. */
  revocations?: RevocationState;
  /**
   * The certificate transparency log this node requires: a certificate is accepted only with a
   * valid inclusion proof under a tree head consistent with the last one the node saw.
   */
  transparency?: {
    verifier: LogVerifier;
    /** The inclusion evidence of a certificate (beside its file, or from the log). */
    evidence(certificate: PluginCertificate, certificatePath: string | undefined): Promise<InclusionEvidence | undefined>;
  };
}

export type PluginCheckName =
  | 'manifest'
  | 'adapter-api'
  | 'dependencies'
  | 'certificate-present'
  | 'certificate-valid'
  | 'certificate-trusted'
  | 'certificate-period'
  | 'certificate-subject'
  | 'certificate-level'
  | 'certificate-suite'
  | 'certificate-revoked'
  | 'certificate-logged'
  | 'entry';

export interface PluginCheck {
  check: PluginCheckName;
  ok: boolean;
  message: string;
  /** A certificate failure let through by development mode. */
  downgraded?: boolean;
}

export interface PluginVerification {
  /** Whether the host would load the plugin. */
  accepted: boolean;
  /** Whether every certificate check passed (false for a plugin accepted in development mode). */
  certified: boolean;
  source: ResolvedPluginSource;
  manifest?: PluginManifest;
  digest?: PluginDigest;
  /** The certificate, once it passed its schema check. */
  certificate?: PluginCertificate;
  /** The trusted certifier that signed it. */
  certifier?: TrustedCertifier;
  /** The checks run, in order; the last one failed when not accepted. */
  checks: PluginCheck[];
  warnings: string[];
  refusal?: PluginRefusedError;
  /** Set when the entry was imported (`importEntry`, or by `load`). */
  factory?: AdapterFactory;
}

export interface VerifyOptions {
  /** Also import the entry and check its factory (runs the plugin's top-level code). Default false. */
  importEntry?: boolean;
  /** A certificate file path, or the certificate itself, instead of `<folder>/bsn-certificate.json`. */
  certificate?: string | PluginCertificate;
}

export type LoadOptions = Omit<VerifyOptions, 'importEntry'>;

export interface LoadedPlugin {
  manifest: PluginManifest;
  digest: PluginDigest;
  certificate?: PluginCertificate;
  /** The plugin's factory; `connect()` first checks the network config against the plugin's `configSchema`. */
  factory: AdapterFactory;
  folder: string;
  verification: PluginVerification;
}

const stderrLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

/** Signals a refusal inside `verify`; never escapes it. */
class Refused extends Error {
  constructor(readonly error: PluginRefusedError) {
    super(error.message);
  }
}

export class PluginHost {
  private readonly trusted: readonly TrustedCertifier[];
  private readonly requireFull: boolean;
  private readonly dev: boolean;
  private readonly now: () => Date;
  private readonly logger: Logger;
  private readonly cwd: string | undefined;
  private readonly digestCache: DigestCache;
  private readonly revocations: RevocationState | undefined;
  private readonly suites: PluginHostOptions['suites'];
  private readonly transparency: PluginHostOptions['transparency'];

  constructor(options: PluginHostOptions) {
    this.digestCache = options.digestCache ?? memoryDigestCache();
    this.revocations = options.revocations;
    this.suites = options.suites;
    this.transparency = options.transparency;
    this.trusted = [...options.trustedCertifiers];
    this.requireFull = options.requireFull ?? true;
    this.dev = options.dev ?? false;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? stderrLogger;
    this.cwd = options.cwd;
  }

  /**
   * Runs the checks (see the module comment) and reports them. Refusals are returned in
   * `refusal`, not thrown; a plugin that cannot be found throws NotFoundError.
   */
  async verify(source: string, options: VerifyOptions = {}): Promise<PluginVerification> {
    const resolved = await resolvePluginSource(source, this.cwd === undefined ? {} : { cwd: this.cwd });
    const result: PluginVerification = { accepted: false, certified: false, source: resolved, checks: [], warnings: [] };
    let label = source;
    const pass = (check: PluginCheckName, message: string) => result.checks.push({ check, ok: true, message });
    const refuse = (check: PluginCheckName, reason: RefusalReason, why: string): never => {
      const error = new PluginRefusedError(reason, label, why);
      result.checks.push({ check, ok: false, message: why });
      throw new Refused(error);
    };

    try {
      // 1. manifest
      let manifest: PluginManifest;
      try {
        manifest = await readManifest(resolved.folder, source);
      } catch (err) {
        if (err instanceof PluginRefusedError) {
          result.checks.push({ check: 'manifest', ok: false, message: err.why });
          throw new Refused(err);
        }
        throw err;
      }
      result.manifest = manifest;
      label = `${manifest.name}@${manifest.version}`;
      pass('manifest', `${manifest.name}@${manifest.version} (${manifest.framework}) in ${resolved.folder}`);

      // 2. adapter API
      if (!semver.satisfies(ADAPTER_API_VERSION, manifest.adapterApi)) {
        refuse(
          'adapter-api',
          'api-incompatible',
          `it implements adapter API ${manifest.adapterApi}, which does not include this host's adapter API ${ADAPTER_API_VERSION}`,
        );
      }
      pass('adapter-api', `adapter API ${ADAPTER_API_VERSION} satisfies ${manifest.adapterApi}`);

      let digest: PluginDigest;
      try {
        digest = await computePluginDigest(resolved.folder, manifest.files, { cache: this.digestCache });
      } catch (err) {
        if (err instanceof MissingDependencyError) refuse('dependencies', 'dependency-missing', `it cannot run here: ${err.message}`);
        throw err;
      }
      pass('dependencies', `${digest.dependencies} dependency package(s) installed, ${digest.files} file(s) digested`);
      result.digest = digest;

      // 3–8. certificate
      try {
        await this.checkCertificate(result, manifest, digest, options.certificate, refuse, pass);
        result.certified = true;
      } catch (err) {
        if (!(err instanceof Refused) || !this.dev || !CERTIFICATE_REASONS.has(err.error.reason)) throw err;
        const last = result.checks[result.checks.length - 1];
        if (last) last.downgraded = true;
        const warning = `DEVELOPMENT MODE: loading uncertified plugin ${label} from ${resolved.folder} — ${err.error.reason}: ${err.error.why}. A city node outside development mode would refuse it.`;
        result.warnings.push(warning);
        this.logger.warn(warning, { plugin: label, reason: err.error.reason });
      }

      // 9. entry
      const entry = normaliseRelativePath(manifest.entry);
      if (!digest.paths.includes(entry)) {
        const file = await checkEntryFile(resolved.folder, entry);
        refuse(
          'entry',
          'entry-invalid',
          file.ok ? `entry ${entry} is not covered by the content digest (a manifest \`files\` list must include it)` : file.why,
        );
      }
      if (options.importEntry) {
        const imported = await importEntry(resolved.folder, entry);
        if (!imported.ok) refuse('entry', 'entry-invalid', imported.why);
        else result.factory = imported.factory;
        pass('entry', `${entry} exports an AdapterFactory`);
      } else {
        const file = await checkEntryFile(resolved.folder, entry);
        if (!file.ok) refuse('entry', 'entry-invalid', file.why);
        pass('entry', `${entry} is present and covered by the digest (not imported)`);
      }
      result.accepted = true;
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      result.refusal = err.error;
    }
    return result;
  }

  private async checkCertificate(
    result: PluginVerification,
    manifest: PluginManifest,
    digest: PluginDigest,
    given: VerifyOptions['certificate'],
    refuse: (check: PluginCheckName, reason: RefusalReason, why: string) => never,
    pass: (check: PluginCheckName, message: string) => void,
  ): Promise<void> {
    // 3. present
    let raw: unknown;
    const path = typeof given === 'string' ? given : join(result.source.folder, CERTIFICATE_FILE);
    if (given !== undefined && typeof given !== 'string') {
      raw = given;
    } else {
      try {
        raw = await readCertificateFile(path);
      } catch (err) {
        refuse('certificate-present', 'certificate-invalid', `cannot read the certificate ${path}: ${(err as Error).message}`);
      }
      if (raw === undefined) {
        refuse(
          'certificate-present',
          'certificate-missing',
          `it is not certified: no ${typeof given === 'string' ? path : `${CERTIFICATE_FILE} in ${result.source.folder}`} (run the conformance suite and \`bsn certify\`)`,
        );
      }
    }
    pass('certificate-present', typeof given === 'object' ? 'certificate given' : path);

    // 4. schema + signature
    const violations = certificateViolations(raw);
    if (violations.length > 0)
      refuse('certificate-valid', 'certificate-invalid', `the certificate is malformed:\n${violations.join('\n')}`);
    const certificate = raw as PluginCertificate;
    result.certificate = certificate;
    const signature = verifyDocument(certificate, CERTIFICATE_DOMAIN);
    if (!signature.ok) refuse('certificate-valid', 'certificate-invalid', `the certificate's signature is invalid: ${signature.reason}`);
    pass('certificate-valid', `signature by key ${certificate.signature.keyId} (${certificate.signature.algorithm}) verifies`);

    // 5. trusted signer
    const certifier = findTrustedCertifier(this.trusted, certificate.signature);
    if (!certifier) {
      refuse(
        'certificate-trusted',
        'certificate-untrusted',
        `its certificate is signed by key ${certificate.signature.keyId} (${certificate.signature.algorithm}, calling itself "${certificate.payload.certifier.name}"), which is not among this node's ${this.trusted.length} trusted certifier(s)`,
      );
    }
    result.certifier = certifier;
    pass('certificate-trusted', `signed by trusted certifier "${certifier!.name}"`);

    // 6. validity period
    const now = this.now();
    const { issuedAt, expiresAt } = certificate.payload;
    if (now.getTime() < Date.parse(issuedAt)) {
      refuse('certificate-period', 'certificate-expired', `its certificate is not valid before ${issuedAt} (now ${now.toISOString()})`);
    }
    if (now.getTime() >= Date.parse(expiresAt)) {
      refuse('certificate-period', 'certificate-expired', `its certificate expired at ${expiresAt} (now ${now.toISOString()})`);
    }
    pass('certificate-period', `valid from ${issuedAt} until ${expiresAt}`);

    // 7. subject
    const p = certificate.payload.plugin;
    if (p.name !== manifest.name || p.version !== manifest.version || p.framework !== manifest.framework) {
      refuse(
        'certificate-subject',
        'certificate-invalid',
        `its certificate is for ${p.name}@${p.version} (${p.framework}), not ${manifest.name}@${manifest.version} (${manifest.framework})`,
      );
    }
    if (p.digest !== digest.digest) {
      refuse(
        'certificate-subject',
        'digest-mismatch',
        `content digest ${digest.digest} does not match the certified ${p.digest} — a file changed after certification`,
      );
    }
    pass('certificate-subject', `certifies ${p.name}@${p.version} with digest ${p.digest}`);

    // 8. level
    const { level, target } = certificate.payload;
    if (level !== 'full' && this.requireFull) {
      refuse(
        'certificate-level',
        'certificate-provisional',
        `its certificate is provisional (earned on ${target.kind} target ${target.name}, ${target.node}) and this node requires full certification`,
      );
    }
    pass('certificate-level', `${level} (${target.kind} target ${target.name}, ${target.node})`);
    if (level !== 'full') {
      const warning = `PROVISIONAL certificate: ${manifest.name}@${manifest.version} was certified on ${target.kind} target ${target.name} (${target.node}), not on a real ${manifest.framework} node; loaded because this node does not require full certification`;
      result.warnings.push(warning);
      this.logger.warn(warning, { plugin: `${manifest.name}@${manifest.version}`, level, target: target.name });
    }

    // 8b. a suite version this node accepts
    if (this.suites) {
      const version = certificate.payload.suite.version;
      const { current, previous = {} } = this.suites;
      if (semver.valid(version) && semver.major(version) === semver.major(current) && semver.gte(version, `${semver.major(current)}.0.0`)) {
        pass('certificate-suite', `suite ${version} (this node requires ${semver.major(current)}.x)`);
      } else {
        const until = previous[version];
        if (until === undefined || !(this.now() < new Date(until))) {
          refuse(
            'certificate-suite',
            'certificate-outdated',
            `its certificate is from suite ${version}; this node requires suite ${semver.major(current)}.x${until ? ` (it accepted ${version} until ${until})` : ''}: re-certify on suite ${current}`,
          );
        }
        this.logger.warn(
          `plugin ${manifest.name}@${manifest.version} is certified on suite ${version}, accepted until ${until}: re-certify it on suite ${current} before then`,
        );
        pass('certificate-suite', `suite ${version}, accepted until ${until}`);
      }
    }

    // 9. not revoked by its certifier
    const revocation = this.revocations && revocationOf(this.revocations, certificate);
    if (revocation) {
      refuse(
        'certificate-revoked',
        'certificate-revoked',
        `its certificate was revoked by ${revocation.payload.certifier.name} at ${revocation.payload.revokedAt}: ${revocation.payload.reason}`,
      );
    }
    if (this.revocations) pass('certificate-revoked', 'not revoked by its certifier');

    // 10. in the transparency log
    if (this.transparency) {
      let evidence: InclusionEvidence | undefined;
      try {
        evidence = await this.transparency.evidence(certificate, path);
      } catch (err) {
        refuse(
          'certificate-logged',
          'certificate-unlogged',
          `log-unavailable: its inclusion evidence cannot be had: ${(err as Error).message}`,
        );
      }
      const decision = await this.transparency.verifier.checkCertificate(certificate, evidence);
      if (!decision.accepted) refuse('certificate-logged', 'certificate-unlogged', `${decision.reason}: ${decision.message}`);
      else pass('certificate-logged', `logged at index ${decision.index} under a tree head of size ${decision.treeHead.size}`);
    }
  }

  /**
   * Verifies and imports the entry; throws the PluginRefusedError on refusal, and an
   * `entry-invalid` refusal when the plugin's `configSchema` is missing or not a schema.
   */
  async load(source: string, options: LoadOptions = {}): Promise<LoadedPlugin> {
    const verifyOptions: VerifyOptions = { importEntry: true };
    if (options.certificate !== undefined) verifyOptions.certificate = options.certificate;
    const verification = await this.verify(source, verifyOptions);
    if (!verification.accepted || !verification.factory || !verification.manifest || !verification.digest) {
      throw verification.refusal ?? new Error(`plugin ${source} was not accepted`);
    }
    let check: NetworkConfigCheck | undefined;
    try {
      check = await networkConfigCheck(verification.source.folder, verification.manifest);
    } catch (error) {
      throw new PluginRefusedError('entry-invalid', verification.manifest.name, (error as Error).message);
    }
    const loaded: LoadedPlugin = {
      manifest: verification.manifest,
      digest: verification.digest,
      factory: checkedFactory(verification.factory, check),
      folder: verification.source.folder,
      verification,
    };
    if (verification.certified && verification.certificate) loaded.certificate = verification.certificate;
    this.logger.info(`plugin ${verification.manifest.name}@${verification.manifest.version} loaded`, {
      digest: verification.digest.digest,
      certified: verification.certified,
    });
    return loaded;
  }
}
