/**
 * Signs gateway requests as a registered user (see @bsn/protocol's canonical.ts for the
 * exact bytes) and checks the node's signatures on responses.
 */
import { randomBytes } from 'node:crypto';
import type { KeyAlgorithm } from '@bsn/contract';
import { publicKeyOf, toHex, fastSigner } from '@bsn/contract';
import { HEADERS, canonicalRequest, digestOfSigned } from '@bsn/protocol';

export interface UserKey {
  user: string;
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
}

export interface SignedHeaders {
  [HEADERS.user]: string;
  [HEADERS.app]: string;
  [HEADERS.timestamp]: string;
  [HEADERS.nonce]: string;
  [HEADERS.signature]: string;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export class RequestSigner {
  readonly publicKey: string;
  readonly #sign: (message: Uint8Array) => Uint8Array;

  constructor(
    readonly user: string,
    readonly algorithm: KeyAlgorithm,
    privateKey: Uint8Array,
  ) {
    this.publicKey = toHex(publicKeyOf(algorithm, privateKey));
    this.#sign = fastSigner(algorithm, privateKey);
  }

  /** Headers for one request (see `signRequest`). */
  sign(r: Parameters<RequestSigner['signRequest']>[0]): SignedHeaders {
    return this.signRequest(r).headers;
  }

  /**
   * Headers for one request, and its digest: the node signs its answer for exactly this
   * digest, so the caller keeps it to check the answer. `path` is the request path as sent
   * (percent-encoded), `query` the raw query string without `?`.
   */
  signRequest(r: { method: string; path: string; query?: string; body?: Uint8Array; app?: string; timestamp?: number; nonce?: string }): {
    headers: SignedHeaders;
    digest: string;
    canonical: Uint8Array;
  } {
    const timestamp = String(r.timestamp ?? Date.now());
    const nonce = r.nonce ?? newNonce();
    const app = r.app ?? '';
    const bytes = canonicalRequest({
      method: r.method,
      path: r.path,
      query: r.query ?? '',
      body: r.body ?? new Uint8Array(0),
      user: this.user,
      app,
      timestamp,
      nonce,
    });
    const signature = toHex(this.#sign(bytes));
    const headers: SignedHeaders = {
      [HEADERS.user]: this.user,
      [HEADERS.app]: app,
      [HEADERS.timestamp]: timestamp,
      [HEADERS.nonce]: nonce,
      [HEADERS.signature]: signature,
    };
    return { headers, digest: digestOfSigned(bytes, signature), canonical: bytes };
  }
}
