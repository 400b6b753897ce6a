import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KeyAlgorithm } from '../contract/keys.js';
import { InvalidInputError, UnauthorizedError } from '../errors/errors.js';
import { canonicalJson } from '../encoding/canonical-json.js';
import { bytesEqual, fromHex, toHex, utf8 } from '../encoding/bytes.js';
import { publicKeyOf } from './algorithms.js';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic-file.js';
import { keyIdOf } from './key-id.js';
import { assertKeyAlgorithm, assertPrivateKey, isKeyAlgorithm, isValidPrivateKey } from './scalars.js';

/**
 * One private key encrypted at rest: scrypt turns the passphrase into an AES-256-GCM key.
 * Every header field is bound as GCM additional data, so editing the algorithm, public key,
 * label or KDF parameters makes decryption fail rather than silently yielding a key used
 * under the wrong identity.
 */
export interface KeystoreFile {
  format: 'bsn-keystore';
  version: 1;
  algorithm: KeyAlgorithm;
  /** Uncompressed SEC1 public key, hex: lets tools show the key without the passphrase. */
  publicKey: string;
  keyId: string;
  label?: string;
  kdf: { name: 'scrypt'; n: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  ciphertext: string;
}

export interface KeystoreKey {
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
  label?: string;
}

export interface KeystoreOptions {
  /** scrypt cost N, a power of two in [2^10, 2^20]. Default 2^17 (~0.3 s, 128 MiB). */
  scryptN?: number;
}

export const DEFAULT_SCRYPT_N = 2 ** 17;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const MIN_N = 2 ** 10;
/** Upper bound on what a file may demand, so a hostile keystore cannot exhaust memory. */
const MAX_N = 2 ** 20;
const WRONG = 'wrong passphrase or tampered keystore';

function assertPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new InvalidInputError('passphrase must be a non-empty string', { field: 'passphrase' });
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

function deriveAesKey(passphrase: string, kdf: KeystoreFile['kdf']): Buffer {
  // NFKC so the same passphrase typed on different keyboards/OSes gives the same bytes.
  return scryptSync(Buffer.from(utf8(passphrase.normalize('NFKC'))), Buffer.from(fromHex(kdf.salt)), 32, {
    N: kdf.n,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.n * kdf.r * kdf.p,
  });
}

/** The authenticated header: everything but the tag and ciphertext. */
function additionalData(file: Omit<KeystoreFile, 'ciphertext' | 'cipher'> & { cipher: { name: string; iv: string } }): Buffer {
  const header = {
    format: file.format,
    version: file.version,
    algorithm: file.algorithm,
    publicKey: file.publicKey,
    keyId: file.keyId,
    label: file.label,
    kdf: file.kdf,
    cipher: { name: file.cipher.name, iv: file.cipher.iv },
  };
  return Buffer.from(utf8(canonicalJson(header)));
}

export function encryptKey(key: KeystoreKey, passphrase: string, opts: KeystoreOptions = {}): KeystoreFile {
  assertKeyAlgorithm(key.algorithm);
  assertPrivateKey(key.algorithm, key.privateKey);
  assertPassphrase(passphrase);
  if (key.label !== undefined && typeof key.label !== 'string') throw new InvalidInputError('label must be a string', { field: 'label' });
  const n = opts.scryptN ?? DEFAULT_SCRYPT_N;
  if (!isPowerOfTwo(n) || n < MIN_N || n > MAX_N) {
    throw new InvalidInputError(`scryptN must be a power of two between ${MIN_N} and ${MAX_N}`, { field: 'scryptN' });
  }
  const publicKey = publicKeyOf(key.algorithm, key.privateKey);
  const kdf = { name: 'scrypt' as const, n, r: SCRYPT_R, p: SCRYPT_P, salt: toHex(randomBytes(32)) };
  const iv = randomBytes(12);
  const head = {
    format: 'bsn-keystore' as const,
    version: 1 as const,
    algorithm: key.algorithm,
    publicKey: toHex(publicKey),
    keyId: keyIdOf(key.algorithm, publicKey),
    ...(key.label !== undefined && { label: key.label }),
    kdf,
  };
  const cipher = createCipheriv('aes-256-gcm', deriveAesKey(passphrase, kdf), iv);
  cipher.setAAD(additionalData({ ...head, cipher: { name: 'aes-256-gcm', iv: toHex(iv) } }));
  const ciphertext = Buffer.concat([cipher.update(key.privateKey), cipher.final()]);
  return { ...head, cipher: { name: 'aes-256-gcm', iv: toHex(iv), tag: toHex(cipher.getAuthTag()) }, ciphertext: toHex(ciphertext) };
}

export function decryptKey(file: KeystoreFile, passphrase: string): { algorithm: KeyAlgorithm; privateKey: Uint8Array } {
  const ks = parseKeystore(file);
  assertPassphrase(passphrase);
  let privateKey: Uint8Array;
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveAesKey(passphrase, ks.kdf), Buffer.from(fromHex(ks.cipher.iv)));
    decipher.setAAD(additionalData(ks));
    decipher.setAuthTag(Buffer.from(fromHex(ks.cipher.tag)));
    privateKey = new Uint8Array(Buffer.concat([decipher.update(fromHex(ks.ciphertext)), decipher.final()]));
  } catch (cause) {
    throw new UnauthorizedError(WRONG, { cause });
  }
  // GCM proves the file is what its writer produced; this proves the writer was consistent.
  if (!isValidPrivateKey(ks.algorithm, privateKey) || !bytesEqual(publicKeyOf(ks.algorithm, privateKey), fromHex(ks.publicKey))) {
    throw new UnauthorizedError(WRONG);
  }
  return { algorithm: ks.algorithm, privateKey };
}

function bad(field: string, what: string): never {
  throw new InvalidInputError(`not a bsn keystore: ${field} ${what}`, { field });
}

function hexField(value: unknown, field: string, bytes?: number): string {
  if (typeof value !== 'string') bad(field, 'is missing');
  let decoded: Uint8Array;
  try {
    decoded = fromHex(value, field);
  } catch {
    bad(field, 'is not hex');
  }
  if (bytes !== undefined && decoded.length !== bytes) bad(field, `must be ${bytes} bytes`);
  return value;
}

/** Validates the shape of parsed JSON (not its authenticity: that is decryptKey's job). */
export function parseKeystore(json: unknown): KeystoreFile {
  if (typeof json !== 'object' || json === null) bad('/', 'is not an object');
  const f = json as Record<string, unknown>;
  if (f.format !== 'bsn-keystore') bad('/format', "is not 'bsn-keystore'");
  if (f.version !== 1) bad('/version', 'is not 1');
  if (!isKeyAlgorithm(f.algorithm)) bad('/algorithm', 'is not a known algorithm');
  hexField(f.publicKey, '/publicKey', 65);
  if (typeof f.keyId !== 'string') bad('/keyId', 'is missing');
  if (f.label !== undefined && typeof f.label !== 'string') bad('/label', 'is not a string');
  const kdf = f.kdf as Record<string, unknown> | undefined;
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt') bad('/kdf/name', "is not 'scrypt'");
  if (typeof kdf.n !== 'number' || !isPowerOfTwo(kdf.n) || kdf.n < MIN_N || kdf.n > MAX_N) bad('/kdf/n', 'is out of range');
  if (kdf.r !== SCRYPT_R) bad('/kdf/r', `is not ${SCRYPT_R}`);
  if (kdf.p !== SCRYPT_P) bad('/kdf/p', `is not ${SCRYPT_P}`);
  hexField(kdf.salt, '/kdf/salt', 32);
  const cipher = f.cipher as Record<string, unknown> | undefined;
  if (typeof cipher !== 'object' || cipher === null || cipher.name !== 'aes-256-gcm') bad('/cipher/name', "is not 'aes-256-gcm'");
  hexField(cipher.iv, '/cipher/iv', 12);
  hexField(cipher.tag, '/cipher/tag', 16);
  hexField(f.ciphertext, '/ciphertext', 32);
  return {
    format: 'bsn-keystore',
    version: 1,
    algorithm: f.algorithm,
    publicKey: f.publicKey as string,
    keyId: f.keyId,
    ...(f.label !== undefined && { label: f.label as string }),
    kdf: { name: 'scrypt', n: kdf.n, r: kdf.r, p: kdf.p, salt: kdf.salt as string },
    cipher: { name: 'aes-256-gcm', iv: cipher.iv as string, tag: cipher.tag as string },
    ciphertext: f.ciphertext as string,
  };
}

export async function readKeystore(path: string): Promise<KeystoreFile> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${path} is not JSON`, { field: 'path' });
  }
  return parseKeystore(json);
}

/** Atomic (temp file + rename/link), mode 0600; refuses to replace an existing file unless `overwrite`. */
export async function writeKeystore(path: string, file: KeystoreFile, opts: Pick<AtomicWriteOptions, 'overwrite'> = {}): Promise<void> {
  const checked = parseKeystore(file);
  await writeFileAtomic(path, JSON.stringify(checked, null, 2) + '\n', { mode: 0o600, overwrite: opts.overwrite ?? false });
}
