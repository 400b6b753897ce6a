import { readFile } from 'node:fs/promises';
import { InvalidInputError, UnauthorizedError } from '../errors/errors.js';
import { toHex } from '../encoding/bytes.js';
import { decryptKey, encryptKey, parseKeystore, type KeystoreFile, type KeystoreOptions } from '../crypto/keystore.js';
import { writeFileAtomic } from '../crypto/atomic-file.js';
import { assertUserId } from './ca.js';
import { BsnIdentity } from './identity.js';

/**
 * An identity at rest. The 32-byte secret sits in an ordinary keystore under algorithm
 * secp256r1 (it is generated as a valid P-256 scalar so the keystore's own consistency
 * check applies); note the keystore's `publicKey` is secret·G, a check value, NOT the
 * identity master key, which is derived (see `masterPublicKey`). The public parts are kept
 * beside it so a file can be identified without the passphrase.
 */
export interface IdentityFile {
  format: 'bsn-identity';
  version: 1;
  userId: string;
  masterKeyId: string;
  /** Hex, uncompressed P-256: the key the network CA certifies. */
  masterPublicKey: string;
  secret: KeystoreFile;
  /** PEM identity certificate from the network CA, once issued. */
  certificate?: string;
}

export function sealIdentity(
  identity: BsnIdentity,
  userId: string,
  passphrase: string,
  opts: KeystoreOptions & { certificate?: string } = {},
): IdentityFile {
  assertUserId(userId);
  const secret = encryptKey(
    { algorithm: 'secp256r1', privateKey: identity.exportSecret(), label: `bsn-identity:${userId}` },
    passphrase,
    opts,
  );
  return {
    format: 'bsn-identity',
    version: 1,
    userId,
    masterKeyId: identity.masterKeyId,
    masterPublicKey: toHex(identity.masterPublicKey),
    secret,
    ...(opts.certificate !== undefined && { certificate: opts.certificate }),
  };
}

export function parseIdentityFile(json: unknown): IdentityFile {
  const f = json as Partial<IdentityFile> | null;
  if (typeof f !== 'object' || f === null || f.format !== 'bsn-identity' || f.version !== 1) {
    throw new InvalidInputError("not a bsn identity file (format 'bsn-identity', version 1)", { field: '/format' });
  }
  assertUserId(f.userId, '/userId');
  if (typeof f.masterKeyId !== 'string' || typeof f.masterPublicKey !== 'string') {
    throw new InvalidInputError('the identity file has no master key', { field: '/masterPublicKey' });
  }
  if (f.certificate !== undefined && typeof f.certificate !== 'string') {
    throw new InvalidInputError('certificate must be a PEM string', { field: '/certificate' });
  }
  return { ...f, secret: parseKeystore(f.secret) } as IdentityFile;
}

/**
 * Decrypts the secret and checks that it really yields the master key the file
 * advertises (the public header is outside the keystore's authenticated data).
 */
export function openIdentity(file: IdentityFile, passphrase: string): BsnIdentity {
  const { privateKey } = decryptKey(file.secret, passphrase);
  const identity = BsnIdentity.fromSecret(privateKey);
  if (toHex(identity.masterPublicKey) !== file.masterPublicKey.toLowerCase() || identity.masterKeyId !== file.masterKeyId) {
    throw new UnauthorizedError('the identity file does not match its secret (tampered?)');
  }
  return identity;
}

export async function readIdentityFile(path: string): Promise<IdentityFile> {
  return parseIdentityFile(await readJson(path));
}

export async function writeIdentityFile(path: string, file: IdentityFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(parseIdentityFile(file), null, 2) + '\n', { mode: 0o600 });
}

export async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${path} is not JSON`, { field: 'path' });
  }
}
