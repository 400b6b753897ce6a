import type { KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError } from '../errors/errors.js';
import { bytesEqual, fromHex, toHex } from '../encoding/bytes.js';
import { isValidPublicKey } from '../crypto/algorithms.js';
import { isKeyAlgorithm } from '../crypto/scalars.js';
import { signDocument, verifyDocument, type DocumentSignature } from '../crypto/signed-document.js';
import { verifyIdentityCertificate } from './ca.js';
import { assertPurpose } from './derive.js';
import type { BsnIdentity } from './identity.js';
import { certificateSha256, p256KeyOf, parseCertificate } from './x509.js';

/** Signature domain of key bindings: such a signature never verifies for any other purpose. */
export const KEY_BINDING_DOMAIN = 'key-binding';

/** The statement "chain account X belongs to BSN identity U". */
export interface KeyBindingPayload {
  v: 1;
  userId: string;
  /** Identity master key (P-256), hex. */
  identityKey: string;
  /** SHA-256 of the identity certificate's DER, hex: pins the exact certificate. */
  certificateSha256: string;
  framework: string;
  algorithm: KeyAlgorithm;
  /** The framework-native account id (0x address, EOS account, MSP id…), as the caller gave it. */
  account: string;
  accountPublicKey: string;
  /** ISO 8601 UTC. */
  issuedAt: string;
}

/**
 * Signed twice over the same bytes: by the identity master key (the identity claims the
 * account) and by the account key (the account holder agrees: proof of possession). Either
 * signature alone would let someone claim a key they do not hold, or attach their key to
 * someone else's identity.
 */
export interface KeyBinding {
  payload: KeyBindingPayload;
  identitySignature: DocumentSignature;
  accountSignature: DocumentSignature;
}

export interface BindableAccount {
  framework: string;
  algorithm: KeyAlgorithm;
  /** Framework-native id; the adapter computes it (`AdapterIdentity.accountFor`). */
  id: string;
  /** Uncompressed public key, bytes or hex; must be the identity's derived key at `index`. */
  publicKey: Uint8Array | string;
  index?: number;
}

export type BindingVerification =
  { ok: true; userId: string; framework: string; algorithm: KeyAlgorithm; account: string } | { ok: false; reason: string };

const MAX_ACCOUNT_ID = 256;
/** Clocks on city nodes differ a little; a binding may be dated this far ahead of the verifier. */
const CLOCK_SKEW_MS = 5 * 60_000;

export function bindAccount(identity: BsnIdentity, certificatePem: string, account: BindableAccount, at: Date = new Date()): KeyBinding {
  const purpose = assertPurpose({
    framework: account.framework,
    algorithm: account.algorithm,
    ...(account.index !== undefined && { index: account.index }),
  });
  if (typeof account.id !== 'string' || account.id.length === 0 || account.id.length > MAX_ACCOUNT_ID) {
    throw new InvalidInputError(`account id must be 1-${MAX_ACCOUNT_ID} characters`, { field: 'account.id' });
  }
  const cert = parseCertificate(certificatePem);
  const certKey = p256KeyOf(cert);
  if (!certKey || !bytesEqual(certKey, identity.masterPublicKey)) {
    throw new InvalidInputError("the certificate does not certify this identity's master key", { field: 'certificatePem' });
  }
  const userId = cert.subjectName.getField('CN')[0];
  if (userId === undefined) throw new InvalidInputError('the certificate has no CN', { field: 'certificatePem' });

  const key = identity.keyFor(purpose.framework, purpose.algorithm, purpose.index);
  const given = typeof account.publicKey === 'string' ? fromHex(account.publicKey, 'account.publicKey') : account.publicKey;
  if (!bytesEqual(given, key.publicKey)) {
    throw new InvalidInputError(
      `account.publicKey is not this identity's ${purpose.framework}/${purpose.algorithm} key at index ${purpose.index}`,
      { field: 'account.publicKey' },
    );
  }
  const payload: KeyBindingPayload = {
    v: 1,
    userId,
    identityKey: toHex(identity.masterPublicKey),
    certificateSha256: certificateSha256(certificatePem),
    framework: purpose.framework,
    algorithm: purpose.algorithm,
    account: account.id,
    accountPublicKey: toHex(key.publicKey),
    issuedAt: at.toISOString(),
  };
  const master = identity.masterKey;
  return {
    payload,
    identitySignature: signDocument(payload, KEY_BINDING_DOMAIN, { algorithm: master.algorithm, privateKey: master.privateKey }).signature,
    accountSignature: signDocument(payload, KEY_BINDING_DOMAIN, { algorithm: key.algorithm, privateKey: key.privateKey }).signature,
  };
}

function hexKey(value: unknown, algorithm: KeyAlgorithm): string | null {
  if (typeof value !== 'string' || !/^[0-9a-f]{130}$/.test(value)) return null;
  return isValidPublicKey(algorithm, fromHex(value)) ? value : null;
}

/** Shape checks first, so the crypto checks below only ever see well-formed values. */
function payloadProblem(p: Partial<KeyBindingPayload> | undefined): string | null {
  if (typeof p !== 'object' || p === null) return 'the binding has no payload';
  if (p.v !== 1) return `unsupported binding version ${String(p.v)}`;
  if (typeof p.userId !== 'string') return 'the binding has no userId';
  if (!isKeyAlgorithm(p.algorithm)) return `unknown account algorithm ${String(p.algorithm)}`;
  try {
    assertPurpose({ framework: p.framework as string, algorithm: p.algorithm });
  } catch {
    return `invalid framework ${String(p.framework)}`;
  }
  if (p.framework === 'bsn') return "framework 'bsn' is reserved for the identity key";
  if (!hexKey(p.identityKey, 'secp256r1')) return 'identityKey is not a lowercase hex P-256 key';
  if (!hexKey(p.accountPublicKey, p.algorithm)) return `accountPublicKey is not a lowercase hex ${p.algorithm} key`;
  if (typeof p.certificateSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(p.certificateSha256))
    return 'certificateSha256 is not a SHA-256 hex digest';
  if (typeof p.account !== 'string' || p.account.length === 0 || p.account.length > MAX_ACCOUNT_ID) return 'the binding has no account id';
  if (typeof p.issuedAt !== 'string' || Number.isNaN(Date.parse(p.issuedAt)) || new Date(p.issuedAt).toISOString() !== p.issuedAt) {
    return 'issuedAt is not an ISO 8601 UTC timestamp';
  }
  return null;
}

/**
 * Anyone holding the network CA certificate can check a binding: the identity
 * certificate chains to the CA and is valid at `at`, it is the certificate the binding
 * pins, it certifies the identity key and user id the binding names, the binding was issued
 * while the certificate was valid, and both signatures hold over the rebuilt bytes.
 * Whether `account` is the right framework-native id for `accountPublicKey` is for the
 * framework's adapter to check (AdapterIdentity.accountFor).
 */
export async function verifyBinding(
  binding: KeyBinding,
  opts: { caCertificatePem: string; identityCertificatePem: string; at?: Date },
): Promise<BindingVerification> {
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (typeof binding !== 'object' || binding === null) return fail('the binding is not an object');
  const problem = payloadProblem(binding.payload);
  if (problem) return fail(problem);
  const p = binding.payload;
  const at = opts.at ?? new Date();

  const cert = await verifyIdentityCertificate(opts.identityCertificatePem, opts.caCertificatePem, at);
  if (!cert.ok) return fail(cert.reason);
  if (cert.userId !== p.userId) return fail(`the certificate is for ${cert.userId}, the binding names ${p.userId}`);
  if (toHex(cert.publicKey) !== p.identityKey) return fail("the binding's identity key is not the certified key");
  if (certificateSha256(opts.identityCertificatePem) !== p.certificateSha256)
    return fail('the binding pins a different identity certificate');
  const issued = Date.parse(p.issuedAt);
  const certInfo = parseCertificate(opts.identityCertificatePem);
  if (issued < certInfo.notBefore.getTime() || issued > certInfo.notAfter.getTime()) {
    return fail('the binding was issued outside the certificate validity');
  }
  if (issued > at.getTime() + CLOCK_SKEW_MS) return fail('the binding is dated in the future');

  const byIdentity = verifyDocument({ payload: p, signature: binding.identitySignature }, KEY_BINDING_DOMAIN, [
    { algorithm: 'secp256r1', publicKey: p.identityKey },
  ]);
  if (!byIdentity.ok) return fail(`identity signature: ${byIdentity.reason}`);
  const byAccount = verifyDocument({ payload: p, signature: binding.accountSignature }, KEY_BINDING_DOMAIN, [
    { algorithm: p.algorithm, publicKey: p.accountPublicKey },
  ]);
  if (!byAccount.ok) return fail(`account signature: ${byAccount.reason}`);
  return { ok: true, userId: p.userId, framework: p.framework, algorithm: p.algorithm, account: p.account };
}
