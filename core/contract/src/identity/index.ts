export { ethereumAddress, toChecksumAddress } from './addresses.js';
export {
  KEY_BINDING_DOMAIN,
  bindAccount,
  verifyBinding,
  type BindableAccount,
  type BindingVerification,
  type KeyBinding,
  type KeyBindingPayload,
} from './binding.js';
export {
  IDENTITY_URI_PREFIX,
  assertUserId,
  createNetworkCa,
  issueIdentityCertificate,
  verifyIdentityCertificate,
  type IdentityCertificateRequest,
  type IdentityCertificateVerification,
  type NetworkCa,
} from './ca.js';
export { openNetworkCa, parseNetworkCaFile, readNetworkCaFile, sealNetworkCa, writeNetworkCaFile, type NetworkCaFile } from './ca-file.js';
export { MASTER_KEY_PURPOSE, assertPurpose, deriveKey, type KeyPurpose } from './derive.js';
export { BsnIdentity, type DerivedKey } from './identity.js';
export { openIdentity, parseIdentityFile, readIdentityFile, sealIdentity, writeIdentityFile, type IdentityFile } from './identity-file.js';
export { certificateSha256 } from './x509.js';
