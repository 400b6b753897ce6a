/**
 * Authenticates node-to-node requests (the attestation API): signed BSN style (canonical.ts in
 * @bsn/protocol) by the calling node's key, as `x-bsn-user: <node name>`, and accepted only from
 * the peers pinned in this node's config (and itself). Checked in an order that writes nothing
 * for a bad request; the nonce is recorded last, under a name no user code can take.
 */
import { verifyFastAsync } from '@bsn/contract';
import { HEADERS, NONCE_RE, canonicalRequest, digestOfSigned } from '@bsn/protocol';
import type { IncomingRequest } from '../auth/authenticator.js';
import { unauthorized } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { PeerNode } from './config.js';

export interface PeerCaller {
  peer: string;
  digest: string;
}

export class PeerAuthenticator {
  private readonly peers: Map<string, PeerNode['requestKey']>;

  constructor(
    peers: Array<Pick<PeerNode, 'name' | 'requestKey'>>,
    private readonly registry: Pick<Registry, 'useNonce'>,
    private readonly options: { clockSkewMs: number; now?: () => number },
  ) {
    this.peers = new Map(peers.map((p) => [p.name, p.requestKey]));
  }

  async authenticate(req: IncomingRequest): Promise<PeerCaller> {
    const peer = req.header(HEADERS.user) ?? '';
    const ts = req.header(HEADERS.timestamp) ?? '';
    const nonce = req.header(HEADERS.nonce) ?? '';
    const signature = req.header(HEADERS.signature) ?? '';
    if (!peer || !ts || !nonce || !signature) throw unauthorized('missing-credentials', 'the request is not signed by a city node');
    if (!NONCE_RE.test(nonce))
      throw unauthorized('malformed-credentials', `${HEADERS.nonce} must be 16-128 of A-Z a-z 0-9 _ -`, HEADERS.nonce);
    if (!/^\d{1,16}$/.test(ts))
      throw unauthorized('malformed-credentials', `${HEADERS.timestamp} must be ms since the epoch`, HEADERS.timestamp);
    if (!/^[0-9a-fA-F]{128}$/.test(signature))
      throw unauthorized('malformed-credentials', `${HEADERS.signature} must be 64 bytes of hex (r‖s)`, HEADERS.signature);
    const now = (this.options.now ?? Date.now)();
    if (Math.abs(now - Number(ts)) > this.options.clockSkewMs)
      throw unauthorized(
        'stale-timestamp',
        `the request timestamp is ${Math.round((now - Number(ts)) / 1000)} s from this node's clock`,
        HEADERS.timestamp,
      );
    const key = this.peers.get(peer);
    if (!key) throw unauthorized('unknown-peer', `${peer} is not a peer node pinned in this node's config`, HEADERS.user);
    const bytes = canonicalRequest({ ...req, user: peer, app: req.header(HEADERS.app) ?? '', timestamp: ts, nonce });
    if (!(await verifyFastAsync(key.algorithm, key.publicKey, bytes, Buffer.from(signature, 'hex'))))
      throw unauthorized('bad-signature', `the signature does not verify with the key pinned for peer ${peer}`, HEADERS.signature);
    if (!(await this.registry.useNonce(`peer:${peer}`, nonce, Number(ts) + this.options.clockSkewMs + 1000)))
      throw unauthorized('nonce-replayed', `nonce ${nonce} was already used by peer ${peer}: a replayed request`, HEADERS.nonce);
    return { peer, digest: digestOfSigned(bytes, signature) };
  }
}
