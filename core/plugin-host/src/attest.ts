/**
 * A runner's signature on the report it produced, so a report made away from the certifier
 * (a vendor's or a test lab's run) cannot be edited on its way: one failed MUST case turned
 * to passed no longer verifies.
 */
import { InvalidInputError, signDocument, verifyDocument, type DocumentSigningKey } from '@bsn/contract';
import type { ConformanceReport } from './report.js';
import type { TrustedCertifier } from './trust.js';

export const REPORT_DOMAIN = 'conformance-report';

/** The report without its attestation: what a runner signs. */
export function unattested(report: ConformanceReport): Omit<ConformanceReport, 'attestation'> {
  const { attestation: _attestation, ...rest } = report;
  return rest;
}

/** The report, signed by the runner `key` (named `runner`). */
export function attestReport(report: ConformanceReport, key: DocumentSigningKey, runner: string): ConformanceReport {
  const { signature } = signDocument(unattested(report), REPORT_DOMAIN, key);
  return { ...unattested(report), attestation: { runner, signature } };
}

/** Which trusted runner signed the report; InvalidInputError when none did. */
export function verifyReportAttestation(report: ConformanceReport, trustedRunners: readonly TrustedCertifier[]): TrustedCertifier {
  const attestation = report.attestation;
  if (!attestation) {
    throw new InvalidInputError(
      'the report carries no runner signature: only a report signed by a trusted runner, or a run made by `bsn certify --adapter --target`, is certified',
      {
        field: '/attestation',
      },
    );
  }
  const verified = verifyDocument({ payload: unattested(report), signature: attestation.signature }, REPORT_DOMAIN, [...trustedRunners]);
  if (!verified.ok)
    throw new InvalidInputError(`the report's runner signature does not hold: ${verified.reason}`, { field: '/attestation' });
  return trustedRunners.find((r) => r.publicKey.toLowerCase().replace(/^0x/, '') === attestation.signature.publicKey.toLowerCase())!;
}
