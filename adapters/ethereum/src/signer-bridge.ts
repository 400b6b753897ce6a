import { Signature, SigningKey, Transaction, computeAddress, concat, getBytes, hexlify, toBeHex } from 'ethers';
import {
  InvalidInputError,
  UnauthorizedError,
  checkKeyAlgorithmIn,
  isBsnError,
  recoverPublicKey,
  type CompactSignature,
  type KeyAlgorithm,
  type Signer,
} from '@bsn/contract';
import { FRAMEWORK } from './describe.js';

/** Order of the secp256k1 group. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

/** The only account algorithm of Ethereum. */
export const ACCOUNT_ALGORITHM: KeyAlgorithm = 'secp256k1';

export function checkAlgorithm(algorithm: unknown, field: string): void {
  checkKeyAlgorithmIn(algorithm, [ACCOUNT_ALGORITHM], field, FRAMEWORK);
}

/** An uncompressed SEC1 public key (0x04…, 65 bytes) from 65- or 33-byte input; InvalidInputError otherwise. */
export function uncompressedPublicKey(publicKey: unknown, field = '/publicKey'): string {
  if (!(publicKey instanceof Uint8Array) || (publicKey.length !== 65 && publicKey.length !== 33)) {
    throw new InvalidInputError('the public key must be a 65-byte uncompressed (or 33-byte compressed) secp256k1 point', { field });
  }
  try {
    return SigningKey.computePublicKey(publicKey, false);
  } catch {
    throw new InvalidInputError('the public key is not a point on secp256k1', { field });
  }
}

/** The address of a Signer's key; `field` (`/signer`, `/admin`, …) names what is refused. */
export function signerAddress(signer: Signer, field: string): string {
  checkAlgorithm(signer?.algorithm, `${field}/algorithm`);
  return addressOf(signer.publicKey, `${field}/publicKey`);
}

/**
 * Every write asks for its sender's address (~50 µs of point decoding and two keccaks) while a
 * node sees few distinct keys: addresses are kept by key bytes. Bounded so a flood of one-off
 * keys cannot grow it; refusals are not kept, they carry the caller's field.
 */
const addresses = new Map<string, string>();

/** The EIP-55 checksummed address of a secp256k1 public key. */
export function addressOf(publicKey: Uint8Array, field = '/publicKey'): string {
  const id = keyId(publicKey);
  let address = addresses.get(id);
  if (address === undefined) {
    address = computeAddress(uncompressedPublicKey(publicKey, field));
    if (addresses.size >= 10_000) addresses.clear();
    addresses.set(id, address);
  }
  return address;
}

/** `addressOf` that keeps nothing new: for keys recovered from a signature, most of them a wrong guess. */
function uncachedAddressOf(publicKey: Uint8Array): string {
  return addresses.get(keyId(publicKey)) ?? computeAddress(uncompressedPublicKey(publicKey));
}

// Not bytes: no entry, and uncompressedPublicKey refuses it.
const keyId = (publicKey: Uint8Array) =>
  publicKey instanceof Uint8Array ? Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex') : '';

/**
 * Turns a core CompactSignature (r‖s, optional recovery id) over `digest` into an Ethereum
 * signature (low s, yParity) that recovers to `expected`. Where the recovery id is missing
 * (or wrong) both parities are tried against the public key. UnauthorizedError if neither fits.
 */
export function ethereumSignature(digest: string, signature: CompactSignature, expected: string): Signature {
  const compact = signature?.compact;
  if (!(compact instanceof Uint8Array) || compact.length !== 64) {
    throw new InvalidInputError('a signature is 64 bytes r‖s', { field: '/signature/compact' });
  }
  const r = BigInt(hexlify(compact.subarray(0, 32)));
  let s = BigInt(hexlify(compact.subarray(32)));
  let recovery = signature.recovery;
  if (r === 0n || r >= N || s === 0n || s >= N) {
    throw new UnauthorizedError('the signature is not a valid secp256k1 signature', { stage: 'sign', detail: { framework: FRAMEWORK } });
  }
  if (s > HALF_N) {
    // High s is valid ECDSA but not on Ethereum (EIP-2): use the twin signature, flipping the parity.
    s = N - s;
    if (recovery === 0 || recovery === 1) recovery ^= 1;
  }
  const parities = recovery === 0 || recovery === 1 ? [recovery, recovery ^ 1] : [0, 1];
  const rHex = toBeHex(r, 32);
  const sHex = toBeHex(s, 32);
  const lowS = getBytes(concat([rHex, sHex]));
  const digestBytes = getBytes(digest);
  for (const yParity of parities) {
    // core's libsecp256k1 recovery: ethers' recoverAddress is pure-JS bigint, ~6x slower, on every write.
    const publicKey = recoverPublicKey(ACCOUNT_ALGORITHM, digestBytes, lowS, yParity);
    if (publicKey && uncachedAddressOf(publicKey) === expected) {
      return Signature.from({ r: rHex, s: sHex, yParity: yParity as 0 | 1 });
    }
  }
  throw new UnauthorizedError(`the signature does not come from the key of ${expected}`, {
    stage: 'sign',
    detail: { framework: FRAMEWORK, message: 'signature does not recover to the sender address', data: { expected, digest } },
  });
}

/**
 * Asks a core Signer to sign `digest` (hex) and returns the Ethereum signature, checked to
 * recover to `expected` (default: the address of the signer's public key).
 */
export async function signDigest(signer: Signer, digest: string, expected?: string): Promise<Signature> {
  checkAlgorithm(signer?.algorithm, '/signer/algorithm');
  expected ??= addressOf(signer.publicKey, '/signer/publicKey');
  let compact: CompactSignature;
  try {
    compact = await signer.signDigest(getBytes(digest));
  } catch (error) {
    if (isBsnError(error)) throw error;
    throw new UnauthorizedError(`the signer failed: ${error instanceof Error ? error.message : String(error)}`, {
      stage: 'sign',
      cause: error,
    });
  }
  return ethereumSignature(digest, compact, expected);
}

/**
 * Signs an unsigned ethers Transaction (its `unsignedHash` is the digest) with a core Signer;
 * UnauthorizedError unless the signature recovers to `from` (default: the signer's address).
 */
export async function signTransaction(tx: Transaction, signer: Signer, from?: string): Promise<Transaction> {
  const signed = tx.clone();
  signed.signature = await signDigest(signer, tx.unsignedHash, from);
  return signed;
}

/**
 * A core Signer backed by a raw private key held in memory: used for the faucet and the
 * registry deployer, whose keys come from the network config, never for users.
 */
export function localKeySigner(privateKey: string): Signer {
  const key = new SigningKey(privateKey);
  return {
    algorithm: ACCOUNT_ALGORITHM,
    publicKey: getBytes(key.publicKey),
    async signDigest(digest: Uint8Array): Promise<CompactSignature> {
      const sig = key.sign(digest);
      return { compact: getBytes(concat([sig.r, sig.s])), recovery: sig.yParity };
    },
  };
}
