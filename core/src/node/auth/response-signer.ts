/** The node's signature on responses and events, and its verification (for clients). */
import type { KeyAlgorithm } from '../../contract/keys.js';
import { publicKeyOf, signMessage, verifyMessage } from '../../crypto/algorithms.js';
import { keyIdOf } from '../../crypto/key-id.js';
import { fromHex, toHex } from '../../encoding/bytes.js';
import { canonicalEvent, canonicalResponse } from './canonical.js';

export interface NodePublicKey {
  algorithm: KeyAlgorithm;
  /** Uncompressed SEC1, hex. */
  publicKey: string;
  keyId: string;
}

export class ResponseSigner {
  readonly key: NodePublicKey;
  readonly #privateKey: Uint8Array;

  constructor(algorithm: KeyAlgorithm, privateKey: Uint8Array) {
    this.#privateKey = Uint8Array.from(privateKey);
    const pub = publicKeyOf(algorithm, this.#privateKey);
    this.key = { algorithm, publicKey: toHex(pub), keyId: keyIdOf(algorithm, pub) };
  }

  signResponse(status: number, body: Uint8Array, nonce: string): string {
    return toHex(signMessage(this.key.algorithm, this.#privateKey, canonicalResponse(status, body, nonce)));
  }

  signEvent(id: string, data: string, nonce: string): string {
    return toHex(signMessage(this.key.algorithm, this.#privateKey, canonicalEvent(id, data, nonce)));
  }
}

function verify(key: NodePublicKey, message: Uint8Array, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-fA-F]{128}$/.test(signature)) return false;
  return verifyMessage(key.algorithm, fromHex(key.publicKey), message, fromHex(signature));
}

export function verifyResponse(key: NodePublicKey, status: number, body: Uint8Array, nonce: string, signature: string | undefined): boolean {
  return verify(key, canonicalResponse(status, body, nonce), signature);
}

export function verifyEvent(key: NodePublicKey, id: string, data: string, nonce: string, signature: string | undefined): boolean {
  return verify(key, canonicalEvent(id, data, nonce), signature);
}
