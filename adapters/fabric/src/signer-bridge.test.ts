import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { BsnIdentity, isBsnError, type Signer } from '@bsn/core';
import { derSignature, fabricSigner, lowS } from './signer-bridge.js';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function nodeKey(publicKey: Uint8Array) {
  const b = Buffer.from(publicKey);
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b.subarray(1, 33).toString('base64url'), y: b.subarray(33).toString('base64url') }, format: 'jwk' });
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
    const broken: Signer = { algorithm: 'secp256r1', publicKey: new Uint8Array(65), signDigest: async () => { throw new Error('HSM offline'); } };
    const error = await fabricSigner(broken)(new Uint8Array(32)).catch((e: unknown) => e);
    expect(isBsnError(error, 'UNAUTHORIZED')).toBe(true);
    expect((error as { stage?: string }).stage).toBe('sign');
  });
});
