/**
 * Checks a request's credentials (see canonical.ts), in an order that writes nothing for a
 * bad request: headers well-formed → timestamp within the skew → user known → signature by
 * the user's registered key → nonce never seen (recorded only now, so forged requests
 * cannot burn nonces).
 */
import type { KeyAlgorithm } from '@bsn/contract';
import { unauthorized } from '../errors.js';
import type { Registry, User } from '../registry/registry.js';
import { CODE_RE, HEADERS, NONCE_RE, canonicalRequest, digestOfSigned, requestDigest, type RequestToSign } from '@bsn/protocol';
import { verifyFastAsync } from '@bsn/contract';

/** The largest time a JavaScript Date represents. */
const MAX_TIME_MS = 8.64e15;

export interface IncomingRequest {
  method: string;
  path: string;
  query: string;
  body: Uint8Array;
  /** Lower-case header names. */
  header(name: string): string | undefined;
}

export interface Caller {
  user: User;
  /** The app code the request was signed for ('' outside an app). */
  app: string;
  nonce: string;
  timestamp: number;
  /** The digest of the request (its canonical form): every answer to it is signed for this. */
  digest: string;
}

/** The request's canonical parts as received; a credential header that is absent counts as empty. */
function received(req: IncomingRequest): RequestToSign {
  return {
    method: req.method,
    path: req.path,
    query: req.query,
    body: req.body,
    user: req.header(HEADERS.user) ?? '',
    app: req.header(HEADERS.app) ?? '',
    timestamp: req.header(HEADERS.timestamp) ?? '',
    nonce: req.header(HEADERS.nonce) ?? '',
  };
}

export class Authenticator {
  constructor(
    private readonly registry: Registry,
    private readonly options: { clockSkewMs: number; now?: () => number },
  ) {}

  /** The digest of any request, checked or not: what an answer (an error too) is signed for. */
  static digestOf(req: IncomingRequest): string {
    return requestDigest(received(req), req.header(HEADERS.signature) ?? '');
  }

  async authenticate(req: IncomingRequest): Promise<Caller> {
    const user = req.header(HEADERS.user);
    const app = req.header(HEADERS.app) ?? '';
    const ts = req.header(HEADERS.timestamp);
    const nonce = req.header(HEADERS.nonce);
    const signature = req.header(HEADERS.signature);
    const missing = [
      [HEADERS.user, user],
      [HEADERS.timestamp, ts],
      [HEADERS.nonce, nonce],
      [HEADERS.signature, signature],
    ]
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length) throw unauthorized('missing-credentials', `the request is not signed: missing ${missing.join(', ')}`, missing[0]);
    if (!CODE_RE.test(user!)) throw unauthorized('malformed-credentials', `${HEADERS.user} is not a user code`, HEADERS.user);
    if (app && !CODE_RE.test(app)) throw unauthorized('malformed-credentials', `${HEADERS.app} is not an app code`, HEADERS.app);
    if (!NONCE_RE.test(nonce!))
      throw unauthorized('malformed-credentials', `${HEADERS.nonce} must be 16-128 of A-Z a-z 0-9 _ -`, HEADERS.nonce);
    // Decimal digits within the range a Date holds (±8.64e15 ms): anything else is malformed, never a crash.
    if (!/^\d{1,16}$/.test(ts!) || Number(ts) > MAX_TIME_MS)
      throw unauthorized('malformed-credentials', `${HEADERS.timestamp} must be milliseconds since the epoch`, HEADERS.timestamp);
    if (!/^[0-9a-fA-F]{128}$/.test(signature!))
      throw unauthorized('malformed-credentials', `${HEADERS.signature} must be 64 bytes of hex (r‖s)`, HEADERS.signature);

    const timestamp = Number(ts);
    const now = (this.options.now ?? Date.now)();
    const skew = this.options.clockSkewMs;
    if (Math.abs(now - timestamp) > skew) {
      throw unauthorized(
        'stale-timestamp',
        `the request timestamp ${new Date(timestamp).toISOString()} is ${Math.round((now - timestamp) / 1000)} s from the node's clock (allowed ±${skew / 1000} s)`,
        HEADERS.timestamp,
      );
    }
    const record = await this.registry.getUser(user!);
    if (!record) throw unauthorized('unknown-user', `user ${user} is not registered on this node`, HEADERS.user);
    const bytes = canonicalRequest(received(req));
    // Off the event loop: the check is most of the node's CPU per request, and the loop is what a busy node runs out of.
    const ok = await verifyFastAsync(record.algorithm as KeyAlgorithm, record.publicKey, bytes, Buffer.from(signature!, 'hex'));
    if (!ok)
      throw unauthorized(
        'bad-signature',
        `the signature does not verify with ${user}'s registered ${record.algorithm} key over this request`,
        HEADERS.signature,
      );
    // Kept until no timestamp that old could pass the skew check again.
    if (!(await this.registry.useNonce(user!, nonce!, timestamp + skew + 1000))) {
      throw unauthorized('nonce-replayed', `nonce ${nonce} was already used by ${user}: a replayed request`, HEADERS.nonce);
    }
    return { user: record, app, nonce: nonce!, timestamp, digest: digestOfSigned(bytes, signature!) };
  }
}
