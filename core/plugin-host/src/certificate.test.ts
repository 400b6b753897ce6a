import { describe, expect, it } from 'vitest';
import { isBsnError, verifyDocument, canonicalJson } from '@bsn/contract';
import { createHash } from 'node:crypto';
import { CERTIFICATE_DOMAIN, certificateViolations, issueCertificate, reportSha256 } from './certificate.js';
import { makeCertifier, makeReport } from './testing/make-plugin.js';

const adapter = { name: '@bsn/adapter-fixture', version: '1.0.0', framework: 'ethereum', digest: `sha256:${'ab'.repeat(32)}` };

function refusal(fn: () => unknown): Error & { field?: string } {
  try {
    fn();
  } catch (err) {
    expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
    return err as Error;
  }
  throw new Error('expected a refusal');
}

describe('plugin certificates', () => {
  it('turns a passing report into a signed, schema-valid certificate', () => {
    const { key, trust } = makeCertifier('Acme Certification');
    const report = makeReport(adapter);
    const now = new Date('2025-06-02T00:00:00.000Z');
    const cert = issueCertificate(report, key, { validityDays: 30, now });
    expect(certificateViolations(cert)).toEqual([]);
    expect(cert.payload).toEqual({
      v: 1,
      plugin: adapter,
      suite: { name: '@bsn/conformance', version: '0.1.0' },
      target: { kind: 'process', node: 'anvil/v1.7.1', name: 'anvil' },
      verdict: 'pass',
      level: 'full',
      report: { sha256: createHash('sha256').update(canonicalJson(report)).digest('hex') },
      issuedAt: '2025-06-02T00:00:00.000Z',
      expiresAt: '2025-07-02T00:00:00.000Z',
      certifier: { name: 'Acme Certification' },
    });
    expect(verifyDocument(cert, CERTIFICATE_DOMAIN, [trust])).toMatchObject({ ok: true });
    expect(verifyDocument(cert, 'key-binding', [trust]).ok).toBe(false);
  });

  it('hashes the report independently of key order and formatting', () => {
    const report = makeReport(adapter);
    const { verdict, ...others } = report;
    const reordered = JSON.parse(JSON.stringify({ verdict, ...others }));
    expect(reportSha256(reordered)).toBe(reportSha256(report));
  });

  it('is provisional when the target is an emulator', () => {
    const { key } = makeCertifier('Acme', 'sm2');
    expect(issueCertificate(makeReport(adapter, { kind: 'emulator' }), key).payload.level).toBe('provisional');
    const flagged = makeReport(adapter);
    flagged.target.emulator = true;
    expect(issueCertificate(flagged, key).payload.level).toBe('provisional');
  });

  it('refuses a failing report, naming the failed MUST cases', () => {
    const { key } = makeCertifier();
    const err = refusal(() => issueCertificate(makeReport(adapter, { failMust: true }), key));
    expect(err.message).toBe('only passing reports are certified: verdict is "fail" (1 MUST case(s) failed: GW-003)');
  });

  it('refuses a report that fails its schema, naming the field', () => {
    const { key } = makeCertifier();
    const report = makeReport(adapter) as unknown as Record<string, unknown>;
    (report['adapter'] as Record<string, unknown>)['digest'] = 'md5:1234';
    const err = refusal(() => issueCertificate(report, key));
    expect(err.message).toContain('report /adapter/digest: must match the pattern');
    expect(err.field).toBe('/adapter/digest');
  });

  it('refuses a report that claims pass while a MUST case failed', () => {
    const { key } = makeCertifier();
    const report = makeReport(adapter, { failMust: true });
    report.verdict = 'pass';
    report.summary.mustFailed = 0;
    expect(refusal(() => issueCertificate(report, key)).message).toMatch(/inconsistent: its summary says/);
    report.summary.mustFailed = 1;
    expect(refusal(() => issueCertificate(report, key)).message).toBe(
      'the conformance report is inconsistent: verdict "pass" but 1 MUST case(s) failed',
    );
  });

  it('refuses an absurd validity', () => {
    const { key } = makeCertifier();
    expect(refusal(() => issueCertificate(makeReport(adapter), key, { validityDays: 0 })).message).toMatch(/validity must be/);
    expect(refusal(() => issueCertificate(makeReport(adapter), key, { validityDays: 1.5 })).message).toMatch(/validity must be/);
  });

  it('its schema rejects a tampered shape', () => {
    const { key } = makeCertifier();
    const cert = issueCertificate(makeReport(adapter), key) as unknown as { payload: Record<string, unknown> };
    cert.payload['level'] = 'gold';
    expect(certificateViolations(cert)).toEqual(['certificate /payload/level: must be one of "full", "provisional" (got "gold")']);
  });
});
