import { BsnError, type BsnErrorOptions, type ErrorCode } from '@bsn/contract';

/** Why the plugin host refused a plugin, in the order the checks run. */
export const REFUSAL_REASONS = [
  'manifest-invalid',
  'api-incompatible',
  'certificate-missing',
  'certificate-invalid',
  'certificate-untrusted',
  'certificate-expired',
  'digest-mismatch',
  'certificate-provisional',
  'certificate-revoked',
  'certificate-unlogged',
  'certificate-outdated',
  'dependency-missing',
  'entry-invalid',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Refusals about the certificate: downgraded to a warning in development mode. */
export const CERTIFICATE_REASONS: ReadonlySet<RefusalReason> = new Set<RefusalReason>([
  'certificate-missing',
  'certificate-invalid',
  'certificate-untrusted',
  'certificate-expired',
  'digest-mismatch',
  'certificate-provisional',
  'certificate-revoked',
  'certificate-unlogged',
  'certificate-outdated',
]);

const CODE_BY_REASON: Record<RefusalReason, ErrorCode> = {
  'manifest-invalid': 'INVALID_INPUT',
  'api-incompatible': 'INVALID_INPUT',
  'certificate-missing': 'UNAUTHORIZED',
  'certificate-invalid': 'UNAUTHORIZED',
  'certificate-untrusted': 'UNAUTHORIZED',
  'certificate-expired': 'UNAUTHORIZED',
  'digest-mismatch': 'UNAUTHORIZED',
  'certificate-provisional': 'UNAUTHORIZED',
  'certificate-revoked': 'UNAUTHORIZED',
  'certificate-unlogged': 'UNAUTHORIZED',
  'certificate-outdated': 'UNAUTHORIZED',
  'dependency-missing': 'INVALID_INPUT',
  'entry-invalid': 'INVALID_INPUT',
};

/**
 * The plugin host would not load a plugin. `message` is `plugin <name> refused: <why>`;
 * `reason` says which check failed; `code` is INVALID_INPUT for a broken plugin (manifest,
 * API range, entry) and UNAUTHORIZED for a missing or unacceptable certificate.
 */
export class PluginRefusedError extends BsnError {
  readonly reason: RefusalReason;
  /** The plugin as named by its manifest, or its source when the manifest is unreadable. */
  readonly plugin: string;
  /** The explanation without the `plugin … refused:` prefix. */
  readonly why: string;

  constructor(reason: RefusalReason, plugin: string, why: string, options: BsnErrorOptions = {}) {
    super(CODE_BY_REASON[reason], `plugin ${plugin} refused: ${why}`, options);
    this.reason = reason;
    this.plugin = plugin;
    this.why = why;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, plugin: this.plugin };
  }
}
