import type { CryptoSuite } from './crypto-suite.js';

/**
 * A FISCO account: the last 20 bytes of the chain's hash (Keccak-256 or SM3) of the 64-byte
 * public key X‖Y (bcos-crypto CryptoSuite::calculateAddress). Lowercase, 0x-prefixed, as the
 * node prints `from`.
 */
export function accountOf(suite: CryptoSuite, publicKey: Uint8Array): string {
  const xy = publicKey.length === 65 && publicKey[0] === 0x04 ? publicKey.subarray(1) : publicKey;
  if (xy.length !== 64) throw new RangeError('a public key is 64 bytes X‖Y (or 65 with the 0x04 prefix)');
  return '0x' + Buffer.from(suite.hash(xy).subarray(12)).toString('hex');
}
