/**
 * The FISCO BCOS 3.x protocol core, for tools that speak to a node without the adapter (the
 * bench's direct baseline): the crypto suite per mode, accounts, and transactions built,
 * hashed, signed and TARS-encoded for `sendTransaction`.
 */
export { cryptoSuite, CRYPTO_MODES, type CryptoMode, type CryptoSuite } from './crypto-suite.js';
export { accountOf } from './account.js';
export { signTransaction, type SignedTransaction } from './sign-transaction.js';
export type { TransactionData } from './transaction.js';
