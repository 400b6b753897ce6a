import { accountOf } from '../protocol/account.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import { TarsDecodeError } from '../protocol/tars-reader.js';
import { decodeTransaction, type DecodedTransaction } from '../protocol/transaction-codec.js';
import { receivedTransactionHash } from '../protocol/transaction-hash.js';
import { signerOf } from '../protocol/transaction-signature.js';
import { TransactionStatus, statusName } from '../protocol/transaction-status.js';
import type { Ledger } from './ledger.js';
import { RpcError, exceptionError } from './rpc-error.js';

export interface AdmittedTransaction {
  tx: DecodedTransaction;
  hash: Uint8Array;
  id: string;
  sender: string;
}

export interface AdmissionRules {
  suite: CryptoSuite;
  chainId: string;
  groupId: string;
  /** DEFAULT_BLOCK_LIMIT: a transaction may name at most this many blocks above the head. */
  blockLimitWindow: number;
}

const txpoolRefusal = (status: number): RpcError => new RpcError(status, statusName(status));

/**
 * What `sendTransaction` checks before a transaction may wait for a block, in the node's order
 * and with its answers:
 *  1. the TARS decodes, and the dataHash equals the hash of the fields (TransactionFactoryImpl:
 *     "transaction hash mismatching…", a C++ exception: code -1);
 *  2. the chain ID is the node's (JsonRpcImpl_2_0::sendTransaction: "Chain ID mismatch!", -1);
 *  3. in the txpool (MemoryStorage::verifyAndSubmitTransaction → TxValidator): not pending
 *     already (10004), the group (10007), the signature (10008), the nonce unused in the pool
 *     and the ledger window (10000), and head < blockLimit ≤ head + 600 (10001).
 */
export function admit(
  raw: Uint8Array,
  rules: AdmissionRules,
  ledger: Ledger,
  pool: { has(id: string): boolean; nonceUsed(nonce: string): boolean },
): AdmittedTransaction {
  let tx: DecodedTransaction;
  try {
    tx = decodeTransaction(raw);
  } catch (error) {
    if (error instanceof TarsDecodeError) throw exceptionError('tars::TarsDecodeException', error.message);
    throw error;
  }
  const hash = receivedTransactionHash(rules.suite, tx);
  if (tx.dataHash.length && !equal(tx.dataHash, hash)) {
    throw exceptionError('std::invalid_argument', 'transaction hash mismatching, maybe transaction version not support.');
  }
  if (tx.data.chainId !== rules.chainId) throw exceptionError('bcos::rpc::JsonRpcException', 'Chain ID mismatch!');
  const id = '0x' + Buffer.from(hash).toString('hex');
  if (pool.has(id)) throw txpoolRefusal(TransactionStatus.AlreadyInTxPool);
  if (tx.data.groupId !== rules.groupId) throw txpoolRefusal(TransactionStatus.InvalidGroupId);
  const publicKey = signerOf(rules.suite, hash, tx.signature);
  if (!publicKey) throw txpoolRefusal(TransactionStatus.InvalidSignature);
  if (pool.nonceUsed(tx.data.nonce) || ledger.nonceUsed(tx.data.nonce)) throw txpoolRefusal(TransactionStatus.NonceCheckFail);
  const head = ledger.height();
  if (head >= tx.data.blockLimit || BigInt(head + rules.blockLimitWindow) < tx.data.blockLimit) {
    throw txpoolRefusal(TransactionStatus.BlockLimitCheckFail);
  }
  return { tx, hash, id, sender: accountOf(rules.suite, publicKey) };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
