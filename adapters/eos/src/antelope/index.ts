/** The Antelope seam (README.md): the only place that knows eosjs. */
export { ContractAbi, BUILTIN_TYPES, type Abi } from './abi.js';
export { NATIVE_ABI, singleKeyAuthority } from './native-abi.js';
export {
  packTransaction,
  unpackTransaction,
  transactionId,
  signingDigest,
  taposOf,
  expirationAt,
  type Authorization,
  type PackedAction,
  type TransactionBody,
  type TransactionHeader,
} from './transaction.js';
export {
  curveOf,
  compressPoint,
  publicKeyText,
  parsePublicKey,
  isCanonical,
  signatureText,
  parseSignature,
  parsePrivateKey,
  privateKeyText,
  type AntelopeCurve,
} from './keys.js';
export { isAccountName, nameValue, nameOf } from './names.js';
export { AntelopeRpc, AntelopeApiError, AntelopeUnreachableError, type NodeErrorBody } from './rpc.js';
export { packBlockHeader, blockIdOf, blockNumberOf, headerDigest, producerSigningDigest, type BlockHeader } from './block-header.js';
export { receiptDigest, RECEIPT_STATUS, COMPRESSION, type RawReceipt } from './receipt-digest.js';
