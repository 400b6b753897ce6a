import { describe, expect, it } from 'vitest';
import { canonicalJson, isBsnError } from '@bsn/contract';
import { certificate, certifier } from './__fixtures__/log-fixtures.js';
import { checkEntry, certificateLeafHash, entryLeafHash } from './entry.js';
import { certificateSha256, revocationViolations, revokeCertificate } from './revocation.js';

describe('revocations and log entries', () => {
  const cert = certificate(1);
  const revocation = revokeCertificate(cert, certifier.key, { reason: 'superseded', now: new Date('2025-08-01T00:00:00Z') });

  it('names the revoked certificate by the hash of its canonical JSON', () => {
    const reordered = JSON.parse(JSON.stringify({ signature: cert.signature, payload: cert.payload }));
    expect(certificateSha256(reordered)).toBe(revocation.payload.certificate.sha256);
    expect(revocation.payload).toMatchObject({
      v: 1,
      reason: 'superseded',
      revokedAt: '2025-08-01T00:00:00.000Z',
      plugin: { name: '@acme/adapter-1' },
    });
    expect(revocationViolations(revocation)).toEqual([]);
    expect(revocationViolations({ ...revocation, extra: 1 })).not.toEqual([]);
    expect(revocationViolations({ ...revocation, payload: { ...revocation.payload, reason: '' } })).not.toEqual([]);
    expect(revocationViolations({ ...revocation, payload: { ...revocation.payload, revokedAt: 'yesterday' } })).not.toEqual([]);
    try {
      revokeCertificate(cert, certifier.key, { reason: '' });
      throw new Error('expected a refusal');
    } catch (err) {
      expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
    }
  });

  it('tells a bare document’s kind by its signature domain, and never one for the other', () => {
    expect(checkEntry(cert)).toMatchObject({ ok: true, entry: { kind: 'certificate' } });
    expect(checkEntry(revocation)).toMatchObject({ ok: true, entry: { kind: 'revocation' } });
    expect(checkEntry({ kind: 'certificate', document: revocation })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(checkEntry({ kind: 'revocation', document: cert })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(checkEntry(cert, [])).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(checkEntry(cert, [certifier.trust])).toMatchObject({ ok: true, signer: { name: 'Acme Certification' } });
    for (const junk of [null, 1, 'x', [], {}, { kind: 'certificate' }]) expect(checkEntry(junk)).toMatchObject({ ok: false });
  });

  it('hashes a leaf as the canonical JSON of { kind, document }', () => {
    const leaf = canonicalJson({ kind: 'certificate', document: cert });
    expect(leaf.startsWith('{"document":')).toBe(true);
    expect(certificateLeafHash(cert)).toBe(entryLeafHash({ kind: 'certificate', document: cert }));
    expect(certificateLeafHash(cert)).toMatch(/^[0-9a-f]{64}$/);
    expect(entryLeafHash({ kind: 'revocation', document: revocation })).not.toBe(certificateLeafHash(cert));
  });
});
