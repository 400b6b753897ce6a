import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { hash } from '@hyperledger/fabric-gateway';
import { describe, expect, test } from 'vitest';
import { BsnIdentity, isBsnError, type Signer } from '@bsn/contract';
import { derSignature, fabricMessageSigner, fabricSigner, lowS, serviceSigner } from './signer-bridge.js';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function nodeKey(publicKey: Uint8Array) {
  const b = Buffer.from(publicKey);
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b.subarray(1, 33).toString('base64url'), y: b.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}

describe('signer bridge', () => {
  test('a core Signer behind fabric-gateway produces DER signatures Node (and so Go) verifies over the message', async () => {
    const key = BsnIdentity.generate().keyFor('fabric', 'secp256r1');
    const sign = fabricSigner(key.signer);
    const message = Buffer.from('a Fabric proposal, or any bytes fabric-gateway hashes');
    const digest = (await import('node:crypto')).createHash('sha256').update(message).digest();
    const der = await sign(digest);
    expect(der[0]).toBe(0x30);
    expect(verify('sha256', message, { key: nodeKey(key.publicKey), dsaEncoding: 'der' }, der)).toBe(true);
  });

  test('a hosted key that signs whole messages (hash.none) gives DER, low-S signatures over the same SHA-256 digest', async () => {
    const key = BsnIdentity.generate().keyFor('fabric', 'secp256r1');
    expect(typeof key.signer.signMessage).toBe('function');
    const sign = fabricMessageSigner(key.signer as Signer & Required<Pick<Signer, 'signMessage'>>);
    for (let i = 0; i < 32; i++) {
      const message = Buffer.from(`an envelope payload ${i}`);
      const der = await sign(hash.none(message));
      expect(verify('sha256', message, { key: nodeKey(key.publicKey), dsaEncoding: 'der' }, der)).toBe(true);
      const sLength = der[3 + der[3]! + 2]!;
      expect(BigInt(`0x${Buffer.from(der.subarray(der.length - sLength)).toString('hex')}`) <= N / 2n, 'low S').toBe(true);
    }
    const broken = {
      algorithm: 'secp256r1' as const,
      publicKey: new Uint8Array(65),
      signDigest: async () => ({ compact: new Uint8Array(64) }),
      signMessage: async () => {
        throw new Error('HSM offline');
      },
    };
    const error = await fabricMessageSigner(broken)(new Uint8Array(3)).catch((e: unknown) => e);
    expect([isBsnError(error, 'UNAUTHORIZED'), (error as { stage?: string }).stage]).toEqual([true, 'sign']);
  });

  test('high S is turned low, and r/s with the top bit set get a leading zero', () => {
    const r = new Uint8Array(32).fill(0x80);
    const highS = Uint8Array.from(Buffer.from((N - 5n).toString(16).padStart(64, '0'), 'hex'));
    const compact = Uint8Array.from([...r, ...highS]);
    const low = lowS(compact);
    expect(Buffer.from(low.subarray(32)).toString('hex')).toBe('5'.padStart(64, '0'));
    const der = derSignature(compact);
    // SEQUENCE { INTEGER 00 80.. (33 bytes), INTEGER 05 }
    expect(Array.from(der.subarray(0, 4))).toEqual([0x30, 2 + 33 + 2 + 1, 0x02, 33]);
    expect(der[4]).toBe(0);
    expect(Array.from(der.subarray(-3))).toEqual([0x02, 1, 5]);
  });

  test('a signer that fails becomes a typed UNAUTHORIZED at the sign stage', async () => {
    const broken: Signer = {
      algorithm: 'secp256r1',
      publicKey: new Uint8Array(65),
      signDigest: async () => {
        throw new Error('HSM offline');
      },
    };
    const error = await fabricSigner(broken)(new Uint8Array(32)).catch((e: unknown) => e);
    expect(isBsnError(error, 'UNAUTHORIZED')).toBe(true);
    expect((error as { stage?: string }).stage).toBe('sign');
  });

  test("the service user's P-256 key signs with Node's ECDSA over SHA-256 of the message: DER, always low S, verifiable by Node", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { signer, hash: digest } = serviceSigner(privateKey);
    expect(digest).toBe(hash.none);
    for (let i = 0; i < 32; i++) {
      const message = Buffer.from(`proposal ${i}`);
      const der = await signer(digest(message));
      expect(der[0]).toBe(0x30);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      const sLength = der[3 + der[3]! + 2]!;
      const s = BigInt(`0x${Buffer.from(der.subarray(der.length - sLength)).toString('hex')}`);
      expect(s <= N / 2n, 'low S').toBe(true);
    }
    // Another curve keeps fabric-gateway's own signer and SHA-256.
    expect(serviceSigner(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey).hash).toBe(hash.sha256);
  });
});
