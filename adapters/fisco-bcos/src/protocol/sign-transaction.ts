import type { Signer } from '@bsn/contract';
import type { CryptoSuite } from './crypto-suite.js';
import { encodeTransaction } from './transaction-codec.js';
import { transactionHash } from './transaction-hash.js';
import { signingDigest, wireSignature } from './transaction-signature.js';
import type { Transaction, TransactionData } from './transaction.js';

/** A transaction built and signed, ready for `sendTransaction`. */
export interface SignedTransaction {
  transaction: Transaction;
  /** The transaction id: the field hash, 0x-prefixed. */
  hash: string;
  /** TARS bytes, 0x-prefixed hex: `sendTransaction`'s third parameter. */
  raw: string;
}

/** The hash and the digest a signer signs for this data (the digest differs from the hash on SM chains). */
export function digestsOf(suite: CryptoSuite, data: TransactionData, publicKey: Uint8Array): { hash: Uint8Array; digest: Uint8Array } {
  const hash = transactionHash(suite, data);
  return { hash, digest: signingDigest(suite, hash, publicKey) };
}

/** Completes a transaction with the signer's `r‖s` (and recovery id or public key). */
export function assembleTransaction(
  suite: CryptoSuite,
  data: TransactionData,
  hash: Uint8Array,
  compact: Uint8Array,
  recovery: number | undefined,
  publicKey: Uint8Array,
): SignedTransaction {
  const transaction: Transaction = {
    data,
    dataHash: hash,
    signature: wireSignature(suite, compact, recovery, publicKey),
    importTime: 0n,
    attribute: 0,
    extraData: '',
  };
  return {
    transaction,
    hash: '0x' + Buffer.from(hash).toString('hex'),
    raw: '0x' + Buffer.from(encodeTransaction(transaction)).toString('hex'),
  };
}

/** Hosted-key signing: the signer signs the chain's digest of the transaction. */
export async function signTransaction(suite: CryptoSuite, data: TransactionData, signer: Signer): Promise<SignedTransaction> {
  const { hash, digest } = digestsOf(suite, data, signer.publicKey);
  const signature = await signer.signDigest(digest);
  return assembleTransaction(suite, data, hash, signature.compact, signature.recovery, signer.publicKey);
}
