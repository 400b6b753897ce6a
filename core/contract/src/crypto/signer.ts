import type { CompactSignature, KeyAlgorithm, Signer } from '../contract/keys.js';
import { publicKeyOf, signDigest } from './algorithms.js';
import { fastAsyncSigner } from './native-ecdsa.js';

/**
 * A hosted-key Signer. The key is copied into the closure so later mutation of the
 * caller's buffer cannot change what is signed, and it is not reachable as a property.
 */
export function privateKeySigner(algorithm: KeyAlgorithm, privateKey: Uint8Array): Signer {
  const key = Uint8Array.from(privateKey);
  const publicKey = publicKeyOf(algorithm, key);
  let native: ((message: Uint8Array) => Promise<Uint8Array>) | undefined;
  return Object.freeze({
    algorithm,
    get publicKey(): Uint8Array {
      return publicKey.slice();
    },
    async signDigest(digest: Uint8Array): Promise<CompactSignature> {
      return signDigest(algorithm, key, digest);
    },
    async signMessage(message: Uint8Array): Promise<CompactSignature> {
      // The OpenSSL key object is made on first use: most signers only ever sign digests.
      // The signing runs on libuv's thread pool, off the event loop the adapter runs on.
      native ??= fastAsyncSigner(algorithm, key, publicKey);
      return { compact: await native(message) };
    },
  });
}
