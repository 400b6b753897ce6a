/**
 * Error answers, the same on both APIs (the REST body, gRPC's `x-bsn-error-bin` trailer):
 * `{ error: { code, reason?, message, field?, retryable?, detail? } }`. The code is the
 * coarse outcome a caller branches on; `reason` names the exact problem beneath it (a
 * forged signature, a replayed nonce…) so the node and its clients agree on one list.
 */
import type { ErrorCode, FrameworkDetail } from '@bsn/contract';

/** The reasons the node answers with. */
export const REASONS = [
  'missing-credentials',
  'malformed-credentials',
  'unknown-user',
  'bad-signature',
  'stale-timestamp',
  'nonce-replayed',
  'app-mismatch',
  'app-not-found',
  'not-admitted',
  'not-portal-admin',
  'not-app-owner',
  'not-operator', // only the node's operators manage portals and see every portal
  'outside-jurisdiction', // the portal's policy does not offer that framework or network
  'portal-not-found', // absent, or not the caller's to see: never told apart
  'key-mode',
  'body-too-large',
  'malformed-body',
  'invalid-field',
  'unknown-network',
  'request-id-reused',
  'prepared-expired',
  'not-found',
  'method-not-allowed',
  'request-too-large',
  'malformed-request',
  'plugin-revoked', // the network's plugin was unloaded: its certificate was revoked
  'node-stopping', // this instance is leaving: resume elsewhere
  'unknown-peer', // a node-to-node request from a node this node does not pin
  'evidence-rejected', // interchain evidence this node's verifier did not prove: nothing attested
  'not-granted', // no grant both apps' owners gave covers this interchain call
  'interchain-unsupported', // the app's network's adapter does not send or deliver packets
  // An adapter's (the chain's) refusal, named by its code: every error answer has a reason.
  'chain-unauthorized',
  'chain-conflict',
  'rejected-by-chain',
  'unavailable',
  'timeout',
  'internal',
] as const;
export type Reason = (typeof REASONS)[number];

/** Why a client refuses an answer of the node; the node never sends these. */
export const CLIENT_REASONS = [
  'bad-node-signature', // not signed by the pinned node key
  'node-info', // `GET /v1/node` failed, so there is no node key to pin
] as const;
export type ClientReason = (typeof CLIENT_REASONS)[number];

/** A BSN error code, or INTERNAL for a failure the node did not expect (its log says more). */
export type AnswerCode = ErrorCode | 'INTERNAL';

export interface ErrorBody {
  error: { code: AnswerCode; reason: Reason; message: string; field?: string; retryable?: boolean; detail?: FrameworkDetail };
}
