/**
 * Keys and signatures in Antelope's text forms (`PUB_K1_…`, `PUB_R1_…`, `SIG_K1_…`), from the
 * standard's uncompressed SEC1 keys and compact `r‖s` signatures with a recovery id.
 * (@wharfkit/antelope: `PublicKey.from({type, compressed})`, `Signature.from({type, r, s, recid})`.)
 */
import { createHash } from 'node:crypto';
import { Numeric } from 'eosjs';
import type { KeyAlgorithm } from '@bsn/contract';

export type AntelopeCurve = 'K1' | 'R1';

export function curveOf(algorithm: KeyAlgorithm): AntelopeCurve {
  if (algorithm === 'secp256k1') return 'K1';
  if (algorithm === 'secp256r1') return 'R1';
  throw new Error(`Antelope has no ${algorithm} keys`);
}

const keyType = (curve: AntelopeCurve) => (curve === 'K1' ? Numeric.KeyType.k1 : Numeric.KeyType.r1);

/** 33-byte compressed point from a 65-byte uncompressed one: the parity of y, then x. */
export function compressPoint(uncompressed: Uint8Array): Uint8Array {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4) throw new Error('an uncompressed SEC1 point is 65 bytes starting 0x04');
  const out = new Uint8Array(33);
  out[0] = (uncompressed[64]! & 1) === 1 ? 3 : 2;
  out.set(uncompressed.subarray(1, 33), 1);
  return out;
}

/** `PUB_K1_…` / `PUB_R1_…` of an uncompressed public key. */
export const publicKeyText = (algorithm: KeyAlgorithm, uncompressed: Uint8Array): string =>
  Numeric.publicKeyToString({ type: keyType(curveOf(algorithm)), data: compressPoint(uncompressed) });

/** The compressed point and curve of a key in any of its text forms (legacy `EOS…` too). */
export function parsePublicKey(text: string): { curve: AntelopeCurve; compressed: Uint8Array } {
  const key = Numeric.stringToPublicKey(text);
  return { curve: key.type === Numeric.KeyType.r1 ? 'R1' : 'K1', compressed: key.data };
}

/**
 * Antelope's K1 signatures must be "canonical": r and s each below 2^255 and minimally
 * encoded (the node refuses others: "signature is not canonical"). R1 has no such rule.
 */
export function isCanonical(compact: Uint8Array): boolean {
  const [r0, r1, s0, s1] = [compact[0]!, compact[1]!, compact[32]!, compact[33]!];
  return !(r0 & 0x80) && !(r0 === 0 && !(r1 & 0x80)) && !(s0 & 0x80) && !(s0 === 0 && !(s1 & 0x80));
}

/** `SIG_K1_…` / `SIG_R1_…` from `r‖s` and the recovery id (0–3). */
export function signatureText(curve: AntelopeCurve, compact: Uint8Array, recovery: number): string {
  if (compact.length !== 64) throw new Error('a compact signature is 64 bytes');
  const data = new Uint8Array(65);
  data[0] = recovery + 27 + 4;
  data.set(compact, 1);
  return Numeric.signatureToString({ type: keyType(curve), data });
}

/** `r‖s`, the recovery id and the curve of a signature's text form. */
export function parseSignature(text: string): { curve: AntelopeCurve; compact: Uint8Array; recovery: number } {
  const sig = Numeric.stringToSignature(text);
  return { curve: sig.type === Numeric.KeyType.r1 ? 'R1' : 'K1', compact: sig.data.slice(1), recovery: sig.data[0]! - 31 };
}

/**
 * The raw 32-byte private key of a WIF (`5K…`) or `PVT_K1_…` text. eosjs checks the checksum of
 * `PVT_` keys but not of WIF ones, so a mistyped WIF is checked here: its last 4 bytes are the
 * start of SHA-256(SHA-256(0x80 ‖ key)).
 */
export function parsePrivateKey(text: string): { curve: AntelopeCurve; secret: Uint8Array } {
  if (!text.startsWith('PVT_')) {
    const raw = Numeric.base58ToBinary(37, text);
    const twice = createHash('sha256')
      .update(createHash('sha256').update(raw.subarray(0, 33)).digest())
      .digest();
    if (raw[0] !== 0x80 || !twice.subarray(0, 4).equals(Buffer.from(raw.subarray(33)))) throw new Error('the WIF checksum does not match');
  }
  const key = Numeric.stringToPrivateKey(text);
  return { curve: key.type === Numeric.KeyType.r1 ? 'R1' : 'K1', secret: key.data };
}

/** `PVT_K1_…` / `PVT_R1_…` of a raw 32-byte private key (a devnet's producer key). */
export const privateKeyText = (curve: AntelopeCurve, secret: Uint8Array): string =>
  Numeric.privateKeyToString({ type: keyType(curve), data: secret });
