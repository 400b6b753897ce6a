import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { InvalidInputError } from '../errors/errors.js';
import { toHex, utf8 } from '../encoding/bytes.js';

/**
 * Ethereum-style address of a secp256k1 key: the last 20 bytes of keccak256 of the 64-byte
 * X‖Y (no 0x04 prefix), printed with the EIP-55 mixed-case checksum. FISCO BCOS uses the
 * same rule for its secp256k1 accounts.
 */
export function ethereumAddress(publicKey: Uint8Array): string {
  if (
    !(publicKey instanceof Uint8Array) ||
    publicKey.length !== 65 ||
    publicKey[0] !== 0x04 ||
    !secp256k1.utils.isValidPublicKey(publicKey, false)
  ) {
    throw new InvalidInputError('publicKey must be a 65-byte uncompressed secp256k1 point', { field: 'publicKey' });
  }
  return toChecksumAddress(toHex(keccak_256(publicKey.subarray(1)).subarray(12)));
}

/** EIP-55: uppercase a hex letter when the matching nibble of keccak256(lowercase address) is >= 8. */
export function toChecksumAddress(address: string): string {
  const body = address.replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{40}$/.test(body)) throw new InvalidInputError('address must be 20 bytes of hex', { field: 'address' });
  const lower = body.toLowerCase();
  const hash = toHex(keccak_256(utf8(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) out += parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out;
}
