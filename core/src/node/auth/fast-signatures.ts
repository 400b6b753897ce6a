/**
 * The gateway's hot path: request signatures are checked and response signatures made on
 * every call, so the two ECDSA curves go through node:crypto (OpenSSL, with keys cached as
 * KeyObjects) instead of the pure-JS implementations; SM2 stays with core's algorithms.
 * Semantics match core's signMessage/verifyMessage: ECDSA over SHA-256, r‖s, and low S on
 * both sides (a high-S signature is refused, as core refuses it; ours are normalised).
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '../../contract/keys.js';
import { publicKeyOf, signMessage, verifyMessage } from '../../crypto/algorithms.js';
import { CURVE_ORDER } from '../../crypto/scalars.js';
import { fromHex, toHex } from '../../encoding/bytes.js';

const CRV = { secp256k1: 'secp256k1', secp256r1: 'P-256' } as const;
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const publicKeys = new Map<string, KeyObject | null>();

function publicKeyObject(alg: 'secp256k1' | 'secp256r1', publicKey: Uint8Array): KeyObject | null {
  const id = `${alg}:${toHex(publicKey)}`;
  let key = publicKeys.get(id);
  if (key === undefined) {
    try {
      key = publicKey.length === 65 && publicKey[0] === 4
        ? createPublicKey({ key: { kty: 'EC', crv: CRV[alg], x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33)) }, format: 'jwk' })
        : null;
    } catch {
      key = null;
    }
    if (publicKeys.size > 10_000) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

function bigint(bytes: Uint8Array): bigint {
  return BigInt(`0x${toHex(bytes) || '0'}`);
}

export function verifyFast(alg: KeyAlgorithm, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (alg === 'sm2') return verifyMessage(alg, publicKey, message, signature);
  if (signature.length !== 64) return false;
  const n = CURVE_ORDER[alg];
  const s = bigint(signature.subarray(32));
  if (s > n / 2n) return false;
  const key = publicKeyObject(alg, publicKey);
  if (!key) return false;
  try {
    return nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** A signer holding its key as a KeyObject; low-S signatures over SHA-256 (SM2: core's). */
export function fastSigner(alg: KeyAlgorithm, privateKey: Uint8Array): (message: Uint8Array) => Uint8Array {
  if (alg === 'sm2') {
    const key = Uint8Array.from(privateKey);
    return (message) => signMessage(alg, key, message);
  }
  const pub = publicKeyOf(alg, privateKey);
  const key = createPrivateKey({ key: { kty: 'EC', crv: CRV[alg], d: b64(privateKey), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33)) }, format: 'jwk' });
  const n = CURVE_ORDER[alg];
  return (message) => {
    const sig = new Uint8Array(nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }));
    const s = bigint(sig.subarray(32));
    if (s > n / 2n) sig.set(fromHex((n - s).toString(16).padStart(64, '0')), 32);
    return sig;
  };
}
