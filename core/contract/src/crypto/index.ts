export {
  SM2_DEFAULT_USER_ID,
  assertPublicKey,
  generatePrivateKey,
  isValidPublicKey,
  messageDigest,
  publicKeyOf,
  recoverPublicKey,
  signDigest,
  signMessage,
  sm3,
  verifyDigest,
  verifyMessage,
} from './algorithms.js';
export { writeFileAtomic, type AtomicWriteOptions } from './atomic-file.js';
export { keyIdOf } from './key-id.js';
export {
  DEFAULT_SCRYPT_N,
  decryptKey,
  encryptKey,
  parseKeystore,
  readKeystore,
  writeKeystore,
  type KeystoreFile,
  type KeystoreKey,
  type KeystoreOptions,
} from './keystore.js';
export { CURVE_ORDER, assertKeyAlgorithm, assertPrivateKey, isKeyAlgorithm, isValidPrivateKey } from './scalars.js';
export {
  documentSigningBytes,
  signDocument,
  verifyDocument,
  type DocumentSignature,
  type DocumentSigningKey,
  type DocumentVerification,
  type SignedDocument,
  type TrustedKey,
} from './signed-document.js';
export { privateKeySigner } from './signer.js';
export { fastAsyncSigner, fastSigner, verifyFast, verifyFastAsync } from './native-ecdsa.js';
