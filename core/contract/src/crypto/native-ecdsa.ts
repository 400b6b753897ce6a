/**
 * ECDSA over SHA-256 through node:crypto (OpenSSL, keys cached as KeyObjects): 10-20x faster
 * than the pure-JS curves here, for the paths that sign or verify whole messages on every
 * call — the gateway's request and response signatures, and `Signer.signMessage` of hosted
 * keys. SM2 stays with core's algorithms. Semantics match core's signMessage/verifyMessage:
 * r‖s, low S on both sides (a high-S signature is refused, as core refuses it; ours are
 * normalised). OpenSSL's nonces are random, not RFC 6979: digests that must be signed
 * deterministically go through core's `signDigest`.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '../contract/keys.js';
import { publicKeyOf, signMessage, verifyMessage } from './algorithms.js';
import { CURVE_ORDER, bigIntTo32Bytes, bytesToBigInt, hasHighS } from './scalars.js';
import { fromHex, toHex } from '../encoding/bytes.js';

const CRV = { secp256k1: 'secp256k1', secp256r1: 'P-256' } as const;
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const publicKeys = new Map<string, KeyObject | null>();

function publicKeyObject(alg: 'secp256k1' | 'secp256r1', publicKeyHex: string): KeyObject | null {
  const id = `${alg}:${publicKeyHex}`;
  let key = publicKeys.get(id);
  if (key === undefined) {
    try {
      const publicKey = fromHex(publicKeyHex);
      key =
        publicKey.length === 65 && publicKey[0] === 4
          ? createPublicKey({
              key: { kty: 'EC', crv: CRV[alg], x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33)) },
              format: 'jwk',
            })
          : null;
    } catch {
      key = null;
    }
    if (publicKeys.size > 10_000) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/** The cached OpenSSL key a signature is checked with; null when it cannot verify (high S, bad key or length). */
function verifyingKey(alg: 'secp256k1' | 'secp256r1', publicKey: Uint8Array | string, signature: Uint8Array): KeyObject | null {
  if (signature.length !== 64 || hasHighS(alg, signature)) return null;
  return publicKeyObject(alg, typeof publicKey === 'string' ? publicKey.toLowerCase() : toHex(publicKey));
}

export function verifyFast(alg: KeyAlgorithm, publicKey: Uint8Array | string, message: Uint8Array, signature: Uint8Array): boolean {
  if (alg === 'sm2') return verifyMessage(alg, typeof publicKey === 'string' ? fromHex(publicKey) : publicKey, message, signature);
  if (alg !== 'secp256k1' && alg !== 'secp256r1') return false;
  const key = verifyingKey(alg, publicKey, signature);
  if (!key) return false;
  try {
    return nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/**
 * `verifyFast` with the curve arithmetic on libuv's thread pool (node:crypto's callback
 * form): the calling thread spends ~6 µs per check instead of ~50 µs. For a server whose
 * event loop is its bottleneck; SM2 (pure JS) still runs on the caller's thread.
 */
export function verifyFastAsync(
  alg: KeyAlgorithm,
  publicKey: Uint8Array | string,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (alg !== 'secp256k1' && alg !== 'secp256r1') return Promise.resolve(verifyFast(alg, publicKey, message, signature));
  const key = verifyingKey(alg, publicKey, signature);
  if (!key) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}

/** A signer holding its key as a KeyObject; low-S signatures over SHA-256 (SM2: core's). */
export function fastSigner(alg: KeyAlgorithm, privateKey: Uint8Array): (message: Uint8Array) => Uint8Array {
  if (alg === 'sm2') {
    const key = Uint8Array.from(privateKey);
    return (message) => signMessage(alg, key, message);
  }
  const key = ecdsaKey(alg, privateKey);
  return (message) => lowS(alg, new Uint8Array(nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' })));
}

/**
 * `fastSigner` with the curve arithmetic on libuv's thread pool (see `verifyFastAsync`).
 * `publicKey`, when the caller has it, spares deriving it again.
 */
export function fastAsyncSigner(
  alg: KeyAlgorithm,
  privateKey: Uint8Array,
  publicKey?: Uint8Array,
): (message: Uint8Array) => Promise<Uint8Array> {
  if (alg === 'sm2') {
    const sign = fastSigner(alg, privateKey);
    return async (message) => sign(message);
  }
  const key = ecdsaKey(alg, privateKey, publicKey);
  return (message) =>
    new Promise((resolve, reject) => {
      nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, (err, sig) =>
        err ? reject(err) : resolve(lowS(alg, new Uint8Array(sig))),
      );
    });
}

function ecdsaKey(alg: KeyAlgorithm, privateKey: Uint8Array, publicKey?: Uint8Array): KeyObject {
  if (alg !== 'secp256k1' && alg !== 'secp256r1') throw new TypeError(`no ECDSA curve ${String(alg)}`);
  const pub = publicKey ?? publicKeyOf(alg, privateKey);
  return createPrivateKey({
    key: { kty: 'EC', crv: CRV[alg], d: b64(privateKey), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33)) },
    format: 'jwk',
  });
}

/** OpenSSL may answer with high S; core (and Ethereum, Fabric) take only the low twin. */
function lowS(alg: 'secp256k1' | 'secp256r1', sig: Uint8Array): Uint8Array {
  if (hasHighS(alg, sig)) sig.set(bigIntTo32Bytes(CURVE_ORDER[alg] - bytesToBigInt(sig.subarray(32))), 32);
  return sig;
}
