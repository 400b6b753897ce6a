import { createHash, createPublicKey, webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';
import { InvalidInputError } from '../errors/errors.js';
import { isValidPublicKey } from '../crypto/algorithms.js';

/**
 * Thin helpers between raw P-256 keys (what the rest of core speaks) and X.509/WebCrypto.
 * Node's webcrypto is passed explicitly to every x509 call instead of setting the
 * library's global provider, so nothing else in the process is affected.
 */

const require = createRequire(import.meta.url);
let loaded: typeof X509 | undefined;

/**
 * @peculiar/x509, loaded on first use: importing it (with tsyringe and its Reflect polyfill,
 * which must come first) costs ~100 ms that every plugin would pay at start, and most never
 * touch an X.509 certificate.
 */
export function peculiar(): typeof X509 {
  if (!loaded) {
    require('reflect-metadata');
    loaded = require('@peculiar/x509') as typeof X509;
  }
  return loaded;
}
/** Typed as whatever @peculiar/x509 expects (core compiles without the DOM lib). */
export type X509Crypto = NonNullable<Parameters<typeof X509.X509CertificateGenerator.create>[1]>;
export const crypto = webcrypto as unknown as X509Crypto;
type CryptoKey = webcrypto.CryptoKey;
export const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** WebCrypto cannot import a raw private scalar, so go through JWK. */
export async function importP256PrivateKey(privateKey: Uint8Array, publicKey: Uint8Array): Promise<CryptoKey> {
  const jwk = { kty: 'EC', crv: 'P-256', d: b64url(privateKey), x: b64url(publicKey.subarray(1, 33)), y: b64url(publicKey.subarray(33)) };
  return webcrypto.subtle.importKey('jwk', jwk, ECDSA_P256, false, ['sign']);
}

export async function importP256PublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('raw', publicKey, ECDSA_P256, true, ['verify']);
}

/** Parses one PEM certificate; InvalidInputError naming `field` when it is not one. */
export function parseCertificate(pem: string, field = 'certificatePem'): X509.X509Certificate {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InvalidInputError(`${field} is not a PEM certificate`, { field });
  }
  try {
    return new (peculiar().X509Certificate)(pem);
  } catch (cause) {
    throw new InvalidInputError(`${field} is not a valid X.509 certificate`, { field, cause });
  }
}

/** The certificate's key as a 65-byte P-256 point, or null when it is anything else. */
export function p256KeyOf(cert: X509.X509Certificate): Uint8Array | null {
  try {
    const jwk = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) return null;
    const point = Uint8Array.from([4, ...Buffer.from(jwk.x, 'base64url'), ...Buffer.from(jwk.y, 'base64url')]);
    return isValidPublicKey('secp256r1', point) ? point : null;
  } catch {
    return null;
  }
}

/** SHA-256 of the DER encoding, hex: what bindings pin so a re-issued certificate is a different one. */
export function certificateSha256(pem: string): string {
  return createHash('sha256')
    .update(Buffer.from(parseCertificate(pem).rawData))
    .digest('hex');
}
