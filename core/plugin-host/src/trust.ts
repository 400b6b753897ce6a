/**
 * The certifiers a city node trusts to vouch for plugins. A trust file is JSON, either one
 * entry (`certifier.pub.json` as `bsn certifier new` writes it), an array of entries, or
 * `{ "certifiers": [entries] }`; an entry is `{ name, algorithm, publicKey }` with the
 * public key as hex (65-byte uncompressed SEC1 point) and an optional `keyId`, checked
 * against the key when present.
 */
import { readFile } from 'node:fs/promises';
import {
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  InvalidInputError,
  fromHex,
  toHex,
  generatePrivateKey,
  isValidPublicKey,
  publicKeyOf,
  keyIdOf,
  encryptKey,
  decryptKey,
  type KeystoreFile,
  type KeystoreOptions,
} from '@bsn/contract';
import type { CertifierKey } from './certificate.js';

export interface TrustedCertifier {
  /** Who the certifier is, for messages; trust is decided by the key alone. */
  name: string;
  algorithm: KeyAlgorithm;
  /** Hex, uncompressed SEC1 point (65 bytes, `04…`). */
  publicKey: string;
  keyId?: string;
}

function entryError(source: string, index: number | undefined, message: string): InvalidInputError {
  const where = index === undefined ? source : `${source} entry ${index}`;
  return new InvalidInputError(`trusted certifier ${where}: ${message}`, { field: index === undefined ? '/' : `/${index}` });
}

function parseEntry(value: unknown, source: string, index?: number): TrustedCertifier {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw entryError(source, index, 'must be an object { name, algorithm, publicKey }');
  const v = value as Record<string, unknown>;
  if (typeof v['name'] !== 'string' || v['name'].length === 0) throw entryError(source, index, '/name must be a non-empty string');
  const algorithm = v['algorithm'];
  if (typeof algorithm !== 'string' || !(KEY_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw entryError(source, index, `/algorithm must be one of ${KEY_ALGORITHMS.join(', ')} (got ${JSON.stringify(algorithm)})`);
  }
  const alg = algorithm as KeyAlgorithm;
  const hex = typeof v['publicKey'] === 'string' ? v['publicKey'].toLowerCase().replace(/^0x/, '') : undefined;
  let bytes: Uint8Array | undefined;
  try {
    bytes = hex === undefined ? undefined : fromHex(hex);
  } catch {
    bytes = undefined;
  }
  if (!bytes || !isValidPublicKey(alg, bytes))
    throw entryError(source, index, `/publicKey must be a 65-byte uncompressed ${alg} public key in hex`);
  const keyId = keyIdOf(alg, bytes);
  if (v['keyId'] !== undefined && v['keyId'] !== keyId)
    throw entryError(source, index, `/keyId ${JSON.stringify(v['keyId'])} does not match the public key (${keyId})`);
  return { name: v['name'], algorithm: alg, publicKey: toHex(bytes), keyId };
}

/** Parses a trust file's JSON (see the module comment). `source` names it in errors. */
export function parseTrustedCertifiers(json: unknown, source = 'trust list'): TrustedCertifier[] {
  if (Array.isArray(json)) return json.map((e, i) => parseEntry(e, source, i));
  if (typeof json === 'object' && json !== null && Array.isArray((json as { certifiers?: unknown }).certifiers)) {
    return (json as { certifiers: unknown[] }).certifiers.map((e, i) => parseEntry(e, source, i));
  }
  return [parseEntry(json, source)];
}

/** Reads and merges trust files; duplicate keys are kept once. */
export async function loadTrustedCertifiers(paths: readonly string[]): Promise<TrustedCertifier[]> {
  const all: TrustedCertifier[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new InvalidInputError(`cannot read trust file ${path}: ${(err as Error).message}`, { cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InvalidInputError(`trust file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    all.push(...parseTrustedCertifiers(json, path));
  }
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = `${c.algorithm}:${c.publicKey}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The trusted entry for a signature's algorithm and public key, if any. */
export function findTrustedCertifier(
  trusted: readonly TrustedCertifier[],
  signature: { algorithm: string; publicKey: string },
): TrustedCertifier | undefined {
  const key = signature.publicKey.toLowerCase().replace(/^0x/, '');
  return trusted.find((t) => t.algorithm === signature.algorithm && t.publicKey.toLowerCase() === key);
}

export interface NewCertifier {
  /** The encrypted private key (write with `writeKeystore`); its label is the certifier's name. */
  keystore: KeystoreFile;
  /** The public entry city nodes add to their trust list. */
  trust: TrustedCertifier;
}

/** Generates a certifier key pair, the private key encrypted under `passphrase`. */
export function createCertifier(options: {
  name: string;
  algorithm?: KeyAlgorithm;
  passphrase: string;
  keystore?: KeystoreOptions;
}): NewCertifier {
  const algorithm = options.algorithm ?? 'secp256r1';
  if (!options.name) throw new InvalidInputError('a certifier needs a name', { field: 'name' });
  const privateKey = generatePrivateKey(algorithm);
  const publicKey = publicKeyOf(algorithm, privateKey);
  const keystore = encryptKey({ algorithm, privateKey, label: options.name }, options.passphrase, options.keystore ?? {});
  privateKey.fill(0);
  return { keystore, trust: { name: options.name, algorithm, publicKey: toHex(publicKey), keyId: keyIdOf(algorithm, publicKey) } };
}

/** Decrypts a certifier keystore (UnauthorizedError on a wrong passphrase). */
export function certifierKeyFromKeystore(file: KeystoreFile, passphrase: string, fallbackName = 'unnamed certifier'): CertifierKey {
  const { algorithm, privateKey } = decryptKey(file, passphrase);
  const label = (file as { label?: unknown }).label;
  return { algorithm, privateKey, name: typeof label === 'string' && label ? label : fallbackName };
}
