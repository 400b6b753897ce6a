import { be32, be64, concat, utf8Bytes } from './big-endian.js';
import type { CryptoSuite } from './crypto-suite.js';
import type { DecodedTransaction, RawDataFields } from './transaction-codec.js';
import type { TransactionData } from './transaction.js';

/**
 * The transaction hash is not taken over the TARS bytes but over the fields, concatenated
 * (bcos-tars-protocol impl/TarsHashable.h): BE32(version) ‖ chainID ‖ groupID ‖
 * BE64(blockLimit) ‖ nonce ‖ to ‖ input ‖ abi, then for v ≥ 1 value ‖ gasPrice ‖
 * BE64(gasLimit) ‖ maxFeePerGas ‖ maxPriorityFeePerGas, then for v ≥ 2 extension.
 */
function hashInput(d: TransactionData, raw: RawDataFields): Uint8Array {
  const parts = [be32(d.version), raw.chainId, raw.groupId, be64(d.blockLimit), raw.nonce, raw.to, d.input, raw.abi];
  // Versions compare unsigned, as the node casts them.
  const version = d.version >>> 0;
  if (version >= 1) parts.push(raw.value, raw.gasPrice, be64(d.gasLimit ?? 0n), raw.maxFeePerGas, raw.maxPriorityFeePerGas);
  if (version >= 2) parts.push(d.extension ?? new Uint8Array(0));
  return concat(parts);
}

function rawOf(d: TransactionData): RawDataFields {
  return {
    chainId: utf8Bytes(d.chainId),
    groupId: utf8Bytes(d.groupId),
    nonce: utf8Bytes(d.nonce),
    to: utf8Bytes(d.to),
    abi: utf8Bytes(d.abi),
    value: utf8Bytes(d.value ?? ''),
    gasPrice: utf8Bytes(d.gasPrice ?? ''),
    maxFeePerGas: utf8Bytes(d.maxFeePerGas ?? ''),
    maxPriorityFeePerGas: utf8Bytes(d.maxPriorityFeePerGas ?? ''),
  };
}

/** The hash a sender signs, of data it built. */
export function transactionHash(suite: CryptoSuite, data: TransactionData): Uint8Array {
  return suite.hash(hashInput(data, rawOf(data)));
}

/** The hash of a received transaction, over its fields exactly as they were sent. */
export function receivedTransactionHash(suite: CryptoSuite, tx: DecodedTransaction): Uint8Array {
  return suite.hash(hashInput(tx.data, tx.raw));
}
