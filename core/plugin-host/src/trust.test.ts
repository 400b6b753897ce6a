import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBsnError, verifyDocument } from '@bsn/contract';
import { CERTIFICATE_DOMAIN, issueCertificate } from './certificate.js';
import { certifierKeyFromKeystore, createCertifier, findTrustedCertifier, loadTrustedCertifiers, parseTrustedCertifiers } from './trust.js';
import { makeCertifier, FIXTURE_SUITE, makeReport } from './testing/make-plugin.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('trusted certifiers', () => {
  const a = makeCertifier('A', 'secp256r1').trust;
  const b = makeCertifier('B', 'sm2').trust;

  it('reads one entry, an array, or { certifiers }, and merges files without duplicates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bsn-trust-'));
    dirs.push(dir);
    await writeFile(join(dir, 'a.pub.json'), JSON.stringify(a));
    await writeFile(join(dir, 'list.json'), JSON.stringify({ certifiers: [b, { ...a, publicKey: `0x${a.publicKey.toUpperCase()}` }] }));
    const list = await loadTrustedCertifiers([join(dir, 'a.pub.json'), join(dir, 'list.json')]);
    expect(list.map((c) => c.name)).toEqual(['A', 'B']);
    expect(list[0]!.keyId).toMatch(/^secp256r1:[0-9a-f]{32}$/);
    expect(parseTrustedCertifiers([a, b])).toHaveLength(2);
  });

  it('refuses malformed entries saying what is wrong', () => {
    const bad = (json: unknown) => {
      try {
        parseTrustedCertifiers(json, 'trust.json');
      } catch (err) {
        expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ ...a, algorithm: 'rsa' })).toBe(
      'trusted certifier trust.json: /algorithm must be one of secp256k1, secp256r1, sm2 (got "rsa")',
    );
    expect(bad([a, { ...b, publicKey: 'abcd' }])).toBe(
      'trusted certifier trust.json entry 1: /publicKey must be a 65-byte uncompressed sm2 public key in hex',
    );
    expect(bad({ ...a, name: '' })).toMatch(/\/name must be a non-empty string/);
    expect(bad({ ...a, keyId: 'secp256r1:00' })).toMatch(/\/keyId "secp256r1:00" does not match the public key/);
    // an sm2 key is not a secp256k1 key
    expect(bad({ ...b, algorithm: 'secp256k1' })).toMatch(/not|must be/);
  });

  it('finds the certifier for a signature by algorithm and key, not by name', () => {
    expect(findTrustedCertifier([a, b], { algorithm: 'sm2', publicKey: b.publicKey })?.name).toBe('B');
    expect(findTrustedCertifier([a, b], { algorithm: 'secp256k1', publicKey: b.publicKey })).toBeUndefined();
  });

  it('creates a certifier whose keystore signs certificates its trust entry verifies', () => {
    const created = createCertifier({ name: 'Acme', algorithm: 'sm2', passphrase: 'correct horse', keystore: { scryptN: 2 ** 10 } });
    expect(created.keystore.label).toBe('Acme');
    expect(created.trust).toMatchObject({
      name: 'Acme',
      algorithm: 'sm2',
      publicKey: created.keystore.publicKey,
      keyId: created.keystore.keyId,
    });
    const key = certifierKeyFromKeystore(created.keystore, 'correct horse');
    expect(key.name).toBe('Acme');
    const cert = issueCertificate(makeReport({ name: 'x', version: '1.0.0', framework: 'eos', digest: `sha256:${'0'.repeat(64)}` }), key, {
      suite: FIXTURE_SUITE,
    });
    expect(verifyDocument(cert, CERTIFICATE_DOMAIN, [created.trust]).ok).toBe(true);
    expect(() => certifierKeyFromKeystore(created.keystore, 'wrong')).toThrow();
  });
});
