import { describe, expect, it } from 'vitest';
import { isBsnError, verifyDocument, canonicalJson } from '@bsn/contract';
import { createHash } from 'node:crypto';
import { CERTIFICATE_DOMAIN, certificateViolations, issueCertificate, reportSha256 } from './certificate.js';
import { makeCertifier, FIXTURE_SUITE, makeReport } from './testing/make-plugin.js';
import { attestReport, verifyReportAttestation } from './attest.js';
import type { SuiteCatalog } from './certifiable.js';
import { summarizeCases, type ConformanceReport } from './report.js';

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
    const cert = issueCertificate(report, key, { suite: FIXTURE_SUITE, validityDays: 30, now });
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
    expect(issueCertificate(makeReport(adapter, { kind: 'emulator' }), key, { suite: FIXTURE_SUITE }).payload.level).toBe('provisional');
    const flagged = makeReport(adapter);
    flagged.target.emulator = true;
    expect(issueCertificate(flagged, key, { suite: FIXTURE_SUITE }).payload.level).toBe('provisional');
  });

  it('refuses a failing report, naming the failed MUST cases', () => {
    const { key } = makeCertifier();
    const err = refusal(() => issueCertificate(makeReport(adapter, { failMust: true }), key, { suite: FIXTURE_SUITE }));
    expect(err.message).toBe('every MUST case of a claimed capability must pass: GW-003 failed');
  });

  describe('only a complete, passing run of the pinned suite', () => {
    const { key } = makeCertifier();
    const refused = (edit: (r: ConformanceReport) => void, suite: SuiteCatalog = FIXTURE_SUITE) => {
      const report = makeReport(adapter);
      edit(report);
      Object.assign(report, summarizeCases(report.cases));
      return refusal(() => issueCertificate(report, key, { suite }));
    };
    it('refuses a partial run (--only) and a run missing a case, naming the missing cases', () => {
      expect(refused((r) => (r.partial = true)).message).toMatch(/only a complete run certifies: the run was partial/);
      const missing = refused((r) => (r.cases = r.cases.filter((c) => c.id !== 'GW-003')));
      expect(missing.message).toBe('only a complete run certifies: 1 case(s) of suite 0.1.0 are missing: GW-003');
      expect(missing.field).toBe('/cases');
    });
    it('refuses a case the suite does not have, and a case relabelled SHOULD', () => {
      expect(refused((r) => r.cases.push({ ...r.cases[0]!, id: 'XX-999' })).message).toMatch(/cases suite 0.1.0 does not have: XX-999/);
      expect(refused((r) => (r.cases[1]!.level = 'SHOULD')).message).toMatch(/GW-003 is MUST gateway.submit in the suite, SHOULD/);
    });
    it('refuses a skipped MUST case of a claimed capability, but not of an unclaimed one', () => {
      const skipped = refused((r) => Object.assign(r.cases[1]!, { outcome: 'skipped', skipReason: 'ran out of time' }));
      expect(skipped.message).toBe(
        'every MUST case of a claimed capability must pass: GW-003 (gateway.submit, claimed) was skipped: ran out of time',
      );
      expect(makeReport(adapter).cases.find((c) => c.id === 'IC-001')!.outcome).toBe('skipped'); // and makeReport certifies (above)
    });
    it('refuses an adapter that does not claim the required capabilities', () => {
      expect(refused((r) => (r.adapter.capabilities = ['describe'])).message).toMatch(
        /does not claim the required capabilities gateway.submit, kv.preset/,
      );
    });
    it('refuses another suite, another build of the same suite, and a run where nothing passed', () => {
      expect(refused(() => undefined, { ...FIXTURE_SUITE, version: '0.2.0' }).message).toMatch(/certifies with @bsn\/conformance 0.2.0/);
      expect(refused((r) => (r.suite.digest = `sha256:${'6'.repeat(64)}`)).message).toMatch(/another build of suite 0.1.0/);
      const none = makeReport(adapter);
      none.adapter.capabilities = [];
      for (const c of none.cases) {
        Object.assign(c, { outcome: 'skipped', skipReason: 'capability not claimed' });
        delete c.failure;
      }
      Object.assign(none, summarizeCases(none.cases));
      expect(refusal(() => issueCertificate(none, key, { suite: { ...FIXTURE_SUITE, requiredCapabilities: [] } })).message).toBe(
        'a run in which no case passed proves nothing',
      );
    });
    it('refuses a memory target, naming it', () => {
      expect(refused((r) => (r.target = { kind: 'memory', name: 'memory', node: 'memory-node/1.0.0' })).message).toMatch(
        /a run on target memory is not certifiable: it is a memory target, not a chain/,
      );
    });
  });

  describe("a runner's signature", () => {
    const runner = makeCertifier('lab runner', 'secp256k1');
    const other = makeCertifier('another runner');
    it('verifies for the trusted runner, and not once a failed MUST case is edited to passed', () => {
      const report = makeReport(adapter, { failMust: true });
      const signed = attestReport(report, runner.key, 'lab runner');
      expect(verifyReportAttestation(signed, [runner.trust]).name).toBe('lab runner');
      const edited = structuredClone(signed);
      Object.assign(
        edited.cases.find((c) => c.id === 'GW-003')!,
        { outcome: 'passed' },
      );
      delete edited.cases.find((c) => c.id === 'GW-003')!.failure;
      Object.assign(edited, summarizeCases(edited.cases));
      expect(() => verifyReportAttestation(edited, [runner.trust])).toThrow(/runner signature does not hold/);
    });
    it('is required, and must be by a runner the certifier trusts', () => {
      expect(() => verifyReportAttestation(makeReport(adapter), [runner.trust])).toThrow(/carries no runner signature/);
      expect(() => verifyReportAttestation(attestReport(makeReport(adapter), other.key, 'x'), [runner.trust])).toThrow(/untrusted key/);
    });
  });

  it('refuses a report that fails its schema, naming the field', () => {
    const { key } = makeCertifier();
    const report = makeReport(adapter) as unknown as Record<string, unknown>;
    (report['adapter'] as Record<string, unknown>)['digest'] = 'md5:1234';
    const err = refusal(() => issueCertificate(report, key, { suite: FIXTURE_SUITE }));
    expect(err.message).toContain('report /adapter/digest: must match the pattern');
    expect(err.field).toBe('/adapter/digest');
  });

  it('refuses a report that claims pass while a MUST case failed', () => {
    const { key } = makeCertifier();
    const report = makeReport(adapter, { failMust: true });
    report.verdict = 'pass';
    report.summary.mustFailed = 0;
    expect(refusal(() => issueCertificate(report, key, { suite: FIXTURE_SUITE })).message).toMatch(/inconsistent: its summary says/);
    report.summary.mustFailed = 1;
    expect(refusal(() => issueCertificate(report, key, { suite: FIXTURE_SUITE })).message).toBe(
      'the conformance report is inconsistent: verdict "pass" but 1 MUST case(s) failed',
    );
  });

  it('refuses an absurd validity', () => {
    const { key } = makeCertifier();
    expect(refusal(() => issueCertificate(makeReport(adapter), key, { suite: FIXTURE_SUITE, validityDays: 0 })).message).toMatch(
      /validity must be/,
    );
    expect(refusal(() => issueCertificate(makeReport(adapter), key, { suite: FIXTURE_SUITE, validityDays: 1.5 })).message).toMatch(
      /validity must be/,
    );
  });

  it('its schema rejects a tampered shape', () => {
    const { key } = makeCertifier();
    const cert = issueCertificate(makeReport(adapter), key, { suite: FIXTURE_SUITE }) as unknown as { payload: Record<string, unknown> };
    cert.payload['level'] = 'gold';
    expect(certificateViolations(cert)).toEqual(['certificate /payload/level: must be one of "full", "provisional" (got "gold")']);
  });
});
