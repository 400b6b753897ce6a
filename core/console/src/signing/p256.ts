/**
 * P-256 (secp256r1) keys and signatures with WebCrypto: a key made in this browser (its
 * private half never leaves it: not extractable), or imported from a BSN key file
 * `{ user, algorithm: "secp256r1", privateKey, publicKey }` (what `npm start` writes for the
 * demo user). Signatures are r‖s with low S, as the node requires (WebCrypto may give either).
 */
import { base64url, fromHex, toHex, type SigningKey } from './hex.js';

/** The order of P-256's group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface BrowserKey {
  privateKey: SigningKey;
  /** Uncompressed SEC1, hex (what the node registers). */
  publicKey: string;
}

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export async function signP256(key: SigningKey, message: Uint8Array): Promise<string> {
  const sig = new Uint8Array(await crypto.subtle.sign(SIGN, key, message as Uint8Array<ArrayBuffer>));
  let s = BigInt(`0x${toHex(sig.slice(32))}`);
  if (s > N / 2n) s = N - s;
  return toHex(sig.slice(0, 32)) + s.toString(16).padStart(64, '0');
}

export async function verifyP256(publicKeyHex: string, message: Uint8Array, signatureHex: string): Promise<boolean> {
  if (!/^[0-9a-fA-F]{128}$/.test(signatureHex)) return false;
  const key = await crypto.subtle.importKey('raw', fromHex(publicKeyHex) as Uint8Array<ArrayBuffer>, ECDSA, false, ['verify']);
  return crypto.subtle.verify(SIGN, key, fromHex(signatureHex) as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
}

/** A new key pair whose private half cannot be exported from this browser. */
export async function generateP256(): Promise<BrowserKey> {
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: toHex(raw) };
}

/** A key file's key, checked field by field; the private key becomes a non-extractable CryptoKey. */
export async function importKeyFile(text: string): Promise<BrowserKey & { user: string }> {
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new KeyFileError('the key file is not JSON', '/');
  }
  if (typeof file !== 'object' || file === null) throw new KeyFileError('the key file is not a JSON object', '/');
  const { user, algorithm, privateKey, publicKey } = file;
  if (typeof user !== 'string' || !user) throw new KeyFileError('/user: the key file names no user', '/user');
  if (algorithm !== 'secp256r1')
    throw new KeyFileError(
      `/algorithm: this key is ${String(algorithm)}; the pages sign with secp256r1 (WebCrypto P-256) — use it with the CLI (bsn node sign) instead`,
      '/algorithm',
    );
  if (typeof privateKey !== 'string' || !/^(0x)?[0-9a-fA-F]{64}$/.test(privateKey))
    throw new KeyFileError('/privateKey must be 32 bytes of hex', '/privateKey');
  if (typeof publicKey !== 'string' || !/^(0x)?04[0-9a-fA-F]{128}$/.test(publicKey))
    throw new KeyFileError('/publicKey must be a 65-byte uncompressed key in hex', '/publicKey');
  const scalar = BigInt(`0x${privateKey.replace(/^0x/, '')}`);
  if (scalar === 0n || scalar >= N) throw new KeyFileError('/privateKey is not a P-256 private key (0 < d < n)', '/privateKey');
  const pub = fromHex(publicKey);
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: base64url(fromHex(privateKey)),
    x: base64url(pub.slice(1, 33)),
    y: base64url(pub.slice(33)),
    ext: false,
  };
  let key: SigningKey;
  try {
    key = await crypto.subtle.importKey('jwk', jwk, ECDSA, false, ['sign']);
  } catch (err) {
    // The private key is in range: what WebCrypto refused is a public key that is not its own (or not on the curve).
    throw new KeyFileError(`/publicKey does not belong to /privateKey (${(err as Error).message})`, '/publicKey');
  }
  // A file whose halves do not belong together would sign requests the node refuses: say so now.
  const probe = crypto.getRandomValues(new Uint8Array(32));
  if (!(await verifyP256(toHex(pub), probe, await signP256(key, probe))))
    throw new KeyFileError('/publicKey does not belong to /privateKey', '/publicKey');
  return { user, privateKey: key, publicKey: toHex(pub) };
}
