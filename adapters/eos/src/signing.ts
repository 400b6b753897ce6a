/**
 * Signing a transaction with a BSN `Signer`. The node refuses a K1 signature that is not
 * "canonical" (r and s below 2^255, minimally encoded), which a deterministic signer hits for
 * about half of all digests; the digest is changed by moving the expiration back one second
 * per attempt until the signature is canonical. R1 signatures carry no such rule.
 */
import { InvalidInputError, recoverPublicKey, type KeyAlgorithm, type Signer } from '@bsn/contract';
import { curveOf, isCanonical, signatureText, signingDigest } from './antelope/index.js';

/** More attempts than this means the signer is broken: each succeeds with probability about ½. */
const MAX_ATTEMPTS = 64;

export interface SignedTransaction {
  packed: Uint8Array;
  signature: string;
  /** Which attempt (seconds taken off the expiration) gave a canonical signature. */
  attempt: number;
}

/** The recovery id of `compact` over `digest` by `publicKey`, when the signer did not say. */
export function recoveryOf(algorithm: KeyAlgorithm, publicKey: Uint8Array, digest: Uint8Array, compact: Uint8Array): number {
  for (let recovery = 0; recovery < 4; recovery++) {
    const recovered = recoverPublicKey(algorithm, digest, compact, recovery);
    if (recovered && Buffer.from(recovered).equals(Buffer.from(publicKey))) return recovery;
  }
  throw new InvalidInputError('the signature is not by the key that signed it', { field: '/signature', stage: 'sign' });
}

/** A signature in the chain's text form, or undefined when the node would refuse it (non-canonical K1). */
export function chainSignature(
  algorithm: KeyAlgorithm,
  publicKey: Uint8Array,
  digest: Uint8Array,
  signature: { compact: Uint8Array; recovery?: number },
): string | undefined {
  const curve = curveOf(algorithm);
  if (curve === 'K1' && !isCanonical(signature.compact)) return undefined;
  const recovery = signature.recovery ?? recoveryOf(algorithm, publicKey, digest, signature.compact);
  return signatureText(curve, signature.compact, recovery);
}

/** Signs `pack(attempt)` on `chainId`, trying later attempts until the node would accept the signature. */
export async function signTransaction(chainId: string, signer: Signer, pack: (attempt: number) => Uint8Array): Promise<SignedTransaction> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const packed = pack(attempt);
    const digest = signingDigest(chainId, packed);
    const signature = chainSignature(signer.algorithm, signer.publicKey, digest, await signer.signDigest(digest));
    if (signature) return { packed, signature, attempt };
  }
  throw new Error(`no canonical signature in ${MAX_ATTEMPTS} attempts: the signer is not a working ${signer.algorithm} signer`);
}
