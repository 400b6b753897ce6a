/**
 * The common key algorithms of the adaptation standard. `sm2` means the Chinese national
 * standard pair: SM2 signatures (GB/T 32918) over SM3 digests (GB/T 32905).
 */
export const KEY_ALGORITHMS = ['secp256k1', 'secp256r1', 'sm2'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** r‖s, 32 bytes each, big-endian; `s` normalised low for the ECDSA curves. */
export interface CompactSignature {
  compact: Uint8Array;
  /** Public-key recovery id (0 or 1), where the algorithm has one (secp256k1, secp256r1). */
  recovery?: number;
}

/**
 * Signs digests a framework produced. The signer never hashes again: the adapter computes
 * the framework's digest (keccak256 of an RLP transaction, SHA-256 of a Fabric proposal,
 * SM3(Z‖M) for SM2) and hands it over. Hosted-key mode backs this with the keystore;
 * user-key mode backs it with the client, through `Gateway.prepare`/`submitPrepared`.
 */
export interface Signer {
  readonly algorithm: KeyAlgorithm;
  /** Uncompressed SEC1 point, 65 bytes, starting 0x04. */
  readonly publicKey: Uint8Array;
  signDigest(digest: Uint8Array): Promise<CompactSignature>;
  /**
   * Optional (adapter API 1.1): signs a whole message under the algorithm's own message
   * digest — SHA-256 for secp256k1/secp256r1, SM3(Z_A ‖ M) for sm2 — i.e. the same as
   * `signDigest(messageDigest(algorithm, message))`, but free to use a faster implementation
   * that only takes messages (OpenSSL). The nonce may be random and `recovery` may be absent.
   * Adapters whose framework hashes with that digest (Fabric: SHA-256) may prefer it.
   */
  signMessage?(message: Uint8Array): Promise<CompactSignature>;
}
