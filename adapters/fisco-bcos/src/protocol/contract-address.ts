import { concat, utf8Bytes } from './big-endian.js';
import type { CryptoSuite } from './crypto-suite.js';

/**
 * Where FISCO BCOS 3.x puts a contract a BCOS transaction creates (with `feature_evm_address`
 * off, the default): the first 20 bytes of the chain's hash of `"{block}_{contextID}_{seq}"`,
 * where contextID is the transaction's index in its block and seq 0 for the deploy itself, 1,
 * 2… for each CREATE inside it (bcos-crypto ChecksumAddress.h newEVMAddress;
 * bcos-executor FiscoHostExtension deriveNestedCreateAddress).
 */
export function contractAddress(suite: CryptoSuite, blockNumber: number, contextId: number, seq: number): Uint8Array {
  return suite.hash(utf8Bytes(`${blockNumber}_${contextId}_${seq}`)).subarray(0, 20);
}

/** CREATE2 as on Ethereum, but with the chain's hash: H(0xff ‖ sender ‖ salt ‖ H(initcode))[12:]. */
export function create2Address(suite: CryptoSuite, sender: Uint8Array, salt: Uint8Array, initCode: Uint8Array): Uint8Array {
  return suite.hash(concat([Uint8Array.of(0xff), sender, salt, suite.hash(initCode)])).subarray(12);
}

/**
 * EIP-55 casing computed with the chain's hash of the lowercase hex (the node's
 * `checksumContractAddress`, bcos-crypto toChecksumAddress).
 */
export function checksumAddress(suite: CryptoSuite, address: string): string {
  const lower = address.replace(/^0x/i, '').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new RangeError('an address is 20 bytes of hex');
  const hash = Buffer.from(suite.hash(utf8Bytes(lower))).toString('hex');
  let out = '0x';
  for (let i = 0; i < 40; i++) out += parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out;
}
