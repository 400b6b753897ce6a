/**
 * Asks a peer city node (or this node itself, over the same API) for an attestation: a POST to
 * `/v1/interchain/attestations` signed with this node's key. What comes back is never trusted:
 * the relayer counts only attestations that recover to pinned attesters over its own commitment.
 */
import { randomBytes } from 'node:crypto';
import { HEADERS, canonicalRequest } from '@bsn/protocol';
import type { AttestationAnswer, AttestationRequest } from './attester.js';

export const ATTESTATIONS_PATH = '/v1/interchain/attestations';

export interface PeerEndpoint {
  name: string;
  url: string;
}

export class PeerClient {
  constructor(
    /** This node's name, as its peers pin it. */
    private readonly self: string,
    private readonly sign: (canonical: Uint8Array) => Uint8Array,
    private readonly timeoutMs = 30_000,
  ) {}

  async attest(peer: PeerEndpoint, request: AttestationRequest): Promise<AttestationAnswer> {
    const body = Buffer.from(JSON.stringify(request), 'utf8');
    const timestamp = String(Date.now());
    const nonce = randomBytes(18).toString('base64url');
    const signature = Buffer.from(
      this.sign(canonicalRequest({ method: 'POST', path: ATTESTATIONS_PATH, query: '', body, user: this.self, app: '', timestamp, nonce })),
    ).toString('hex');
    const res = await fetch(`${peer.url}${ATTESTATIONS_PATH}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        [HEADERS.user]: this.self,
        [HEADERS.timestamp]: timestamp,
        [HEADERS.nonce]: nonce,
        [HEADERS.signature]: signature,
      },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        /* not JSON: the text is the message */
      }
      throw new Error(`peer ${peer.name} refused to attest (${res.status}): ${message}`);
    }
    return JSON.parse(text) as AttestationAnswer;
  }
}
