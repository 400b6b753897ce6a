/**
 * What peers and the gateway mean by their words. Fabric reports these conditions only as
 * text inside gRPC errors and their per-peer details, so each is matched here, once.
 */

/** The gateway cannot find peers enough to meet the endorsement policy. */
const NO_ENDORSERS = /no peers available|no combination of peers|not enough (peers|endorsers)/i;
/** A peer the gateway needs cannot be dialled. */
const UNREACHABLE = /code = Unavailable|connection refused|connection error|transport is closing|failed to connect/i;
const DEADLINE = /code = DeadlineExceeded|context deadline exceeded/i;
/** A channel new to a peer: its join, discovery or gossip has not caught up yet. */
const CHANNEL_SETTLING = /discovery|failed to collect enough|cannot find channel|channel .* (not found|does not exist)/i;
/** A new channel's ordering service before its Raft leader is elected. */
const ORDERER_SETTLING = /no orderers could successfully process|SERVICE_UNAVAILABLE|no Raft leader/i;
/** A peer whose join is still settling refuses requests on the channel. */
const JOINING = /access denied.*channel/i;

/** A peer did not answer in time. */
export const peerDeadline = (words: string): boolean => DEADLINE.test(words);

/** A peer is down, or the gateway has no peers left to satisfy the policy: retry later. */
export const peersUnreachable = (words: string): boolean => UNREACHABLE.test(words) || NO_ENDORSERS.test(words);

/**
 * A channel a few seconds old whose peers do not all see it yet; waited out by the first
 * writes on it. Missing endorsers count: discovery may not know the other org's peer yet.
 */
export const channelSettling = (words: string): boolean => NO_ENDORSERS.test(words) || CHANNEL_SETTLING.test(words);

/**
 * What provisioning a channel waits out: `channelSettling`, its orderer still electing a leader,
 * a peer still joining. Once the channel is provisioned, an access denial is a real refusal.
 */
export const channelStarting = (words: string): boolean => channelSettling(words) || ORDERER_SETTLING.test(words) || JOINING.test(words);

export interface PeerDetail {
  mspId: string;
  address: string;
  message: string;
}

/** The per-peer details a fabric-gateway error carries (none for other errors). */
export function detailsOf(error: unknown): PeerDetail[] {
  const details = (error as { details?: unknown })?.details;
  return Array.isArray(details)
    ? details.map((d: Record<string, unknown>) => ({
        mspId: String(d.mspId ?? ''),
        address: String(d.address ?? ''),
        message: String(d.message ?? ''),
      }))
    : [];
}

/** An error's message and every peer's words, as one text to classify. */
export function wordsOf(error: unknown): string {
  return [error instanceof Error ? error.message : String(error), ...detailsOf(error).map((d) => d.message)].join(' | ');
}
