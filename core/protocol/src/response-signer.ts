/** The node's signature on responses and events, and its verification (for clients). */
import type { KeyAlgorithm } from '@bsn/contract';
import { publicKeyOf, keyIdOf, toHex, fastAsyncSigner, verifyFast } from '@bsn/contract';
import { canonicalEvent, canonicalResponse } from './canonical.js';

export interface NodePublicKey {
  algorithm: KeyAlgorithm;
  /** Uncompressed SEC1, hex. */
  publicKey: string;
  keyId: string;
}

export class ResponseSigner {
  readonly key: NodePublicKey;
  /** Signs on libuv's thread pool, off the event loop that also runs the adapters. */
  readonly #sign: (message: Uint8Array) => Promise<Uint8Array>;

  constructor(algorithm: KeyAlgorithm, privateKey: Uint8Array) {
    const pub = publicKeyOf(algorithm, privateKey);
    this.#sign = fastAsyncSigner(algorithm, privateKey, pub);
    this.key = { algorithm, publicKey: toHex(pub), keyId: keyIdOf(algorithm, pub) };
  }

  /** Signs an answer to the request whose digest (`requestDigest()`) is given. */
  async signResponse(status: number, body: Uint8Array, requestDigest: string): Promise<string> {
    return toHex(await this.#sign(canonicalResponse(status, body, requestDigest)));
  }

  async signEvent(id: string, data: string, requestDigest: string): Promise<string> {
    return toHex(await this.#sign(canonicalEvent(id, data, requestDigest)));
  }
}

function verify(key: NodePublicKey, message: Uint8Array, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-fA-F]{128}$/.test(signature)) return false;
  return verifyFast(key.algorithm, key.publicKey, message, Buffer.from(signature, 'hex'));
}

export function verifyResponse(
  key: NodePublicKey,
  status: number,
  body: Uint8Array,
  nonce: string,
  signature: string | undefined,
): boolean {
  return verify(key, canonicalResponse(status, body, nonce), signature);
}

export function verifyEvent(key: NodePublicKey, id: string, data: string, nonce: string, signature: string | undefined): boolean {
  return verify(key, canonicalEvent(id, data, nonce), signature);
}
