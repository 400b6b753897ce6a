import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { KeyAlgorithm } from '@bsn/contract';

/**
 * A FISCO BCOS chain runs in one of two crypto modes, fixed at genesis (`sm_crypto` in the
 * genesis config, `smCryptoType` in the node's iniConfig): `standard` is secp256k1 with
 * Keccak-256, `sm` (国密) is SM2 with SM3. The mode picks the hash of everything — transaction,
 * receipt and block hashes, accounts, contract addresses, ABI selectors and event topics, and
 * the EVM's KECCAK256 opcode.
 */
export type CryptoMode = 'standard' | 'sm';
export const CRYPTO_MODES: readonly CryptoMode[] = ['standard', 'sm'];

export interface CryptoSuite {
  readonly mode: CryptoMode;
  /** The account key algorithm of this mode. */
  readonly algorithm: Extract<KeyAlgorithm, 'secp256k1' | 'sm2'>;
  /** Keccak-256 or SM3, 32 bytes. */
  hash(data: Uint8Array): Uint8Array;
}

// OpenSSL's SM3 (node:crypto) is an order of magnitude faster than a JS one, and the EVM of an
// SM chain hashes every storage-mapping access with it; tests check it against sm-crypto-v2.
const sm3 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sm3').update(data).digest());

const SUITES: Record<CryptoMode, CryptoSuite> = {
  standard: Object.freeze({ mode: 'standard', algorithm: 'secp256k1', hash: (d: Uint8Array) => keccak_256(d) }),
  sm: Object.freeze({ mode: 'sm', algorithm: 'sm2', hash: sm3 }),
};

export function cryptoSuite(mode: CryptoMode): CryptoSuite {
  const suite = SUITES[mode];
  if (!suite) throw new RangeError(`unknown crypto mode ${JSON.stringify(mode)} (standard or sm)`);
  return suite;
}
