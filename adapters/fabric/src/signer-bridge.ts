import { sign as nodeSign, type KeyObject } from 'node:crypto';
import { hash, signers, type Hash, type Signer as FabricSigner } from '@hyperledger/fabric-gateway';
import {
  UnauthorizedError,
  assertPublicKey,
  checkKeyAlgorithmIn,
  type CompactSignature,
  type KeyAlgorithm,
  type Signer,
} from '@bsn/contract';
import { FRAMEWORK } from './describe.js';

/** Order of the P-256 group: S values above half of it are "high" and Fabric refuses them. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBig = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const to32 = (n: bigint): Uint8Array => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['secp256r1'];

export function checkAlgorithm(algorithm: unknown, field: string): asserts algorithm is 'secp256r1' {
  checkKeyAlgorithmIn(algorithm, KEY_ALGORITHMS, field, 'Fabric');
}

/** A 65-byte uncompressed P-256 point (InvalidInputError naming `field` otherwise). */
export function checkPublicKey(publicKey: unknown, field: string): Uint8Array {
  assertPublicKey('secp256r1' as KeyAlgorithm, publicKey, field);
  return publicKey;
}

/** r‖s with S made low (s → n − s), as Fabric's MSP requires. */
export function lowS(compact: Uint8Array): Uint8Array {
  if (!(compact instanceof Uint8Array) || compact.length !== 64) {
    throw new UnauthorizedError('a P-256 signature is 64 bytes r‖s', {
      stage: 'sign',
      detail: { framework: FRAMEWORK, message: `got ${compact?.length} bytes` },
    });
  }
  const s = toBig(compact.subarray(32));
  if (s <= N / 2n) return compact;
  const out = Uint8Array.from(compact);
  out.set(to32(N - s), 32);
  return out;
}

function derInteger(bytes: Uint8Array): number[] {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = Array.from(bytes.subarray(i));
  if ((v[0]! & 0x80) !== 0) v.unshift(0);
  return [0x02, v.length, ...v];
}

/** ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` of a compact signature, low S: what Fabric verifies. */
export function derSignature(compact: Uint8Array): Uint8Array {
  const low = lowS(compact);
  const r = derInteger(low.subarray(0, 32));
  const s = derInteger(low.subarray(32));
  return Uint8Array.from([0x30, r.length + s.length, ...r, ...s]);
}

/**
 * A fabric-gateway `Signer` backed by a core `Signer`: fabric-gateway hands over the SHA-256
 * digest of the proposal (or envelope, or commit-status request) it built, core signs that
 * digest as-is and returns r‖s, which Fabric wants DER-encoded with low S.
 */
export function fabricSigner(signer: Signer): FabricSigner {
  return signingWith((digest) => signer.signDigest(digest));
}

/**
 * For signers that can sign whole messages (`Signer.signMessage`, SHA-256 for P-256 — hosted
 * keys sign that with OpenSSL, ~20 µs against ~0.35 ms for the pure-JS digest signer): use
 * with fabric-gateway's `hash.none`, which hands over the message instead of its SHA-256;
 * the signature is over the same SHA-256 digest either way.
 */
export function fabricMessageSigner(signer: Signer & Required<Pick<Signer, 'signMessage'>>): FabricSigner {
  return signingWith((message) => signer.signMessage(message));
}

function signingWith(sign: (bytes: Uint8Array) => Promise<CompactSignature>): FabricSigner {
  return async (bytes: Uint8Array): Promise<Uint8Array> => {
    let signature: CompactSignature;
    try {
      signature = await sign(bytes);
    } catch (cause) {
      throw new UnauthorizedError(`the signer refused to sign: ${cause instanceof Error ? cause.message : String(cause)}`, {
        stage: 'sign',
        cause,
        detail: { framework: FRAMEWORK, message: cause instanceof Error ? cause.message : String(cause) },
      });
    }
    return derSignature(signature.compact);
  };
}

/**
 * How the org's service user (a PEM key from the network config) signs: for a P-256 key,
 * Node's own ECDSA (OpenSSL) over the SHA-256 of the message, low S, DER — fabric-gateway is
 * told not to hash first (`hash.none`), so the signed bytes are the same SHA-256 digest it
 * would sign; several times cheaper than the pure-JS signer fabric-gateway ships. Any other
 * key: fabric-gateway's own signer.
 */
export function serviceSigner(key: KeyObject): { signer: FabricSigner; hash: Hash } {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return {
      hash: hash.none,
      signer: async (message: Uint8Array) => derSignature(Uint8Array.from(nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }))),
    };
  }
  return { hash: hash.sha256, signer: signers.newPrivateKeySigner(key) };
}
