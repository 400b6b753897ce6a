import { peer as peerProtos } from '@hyperledger/fabric-protos';
import { RejectedByChainError, UnauthorizedError } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { ProposalRefused, type PeerClient } from './peer-client.js';
import type { SigningIdentity } from './signing-identity.js';

const ALREADY_JOINED = /already exists|already joined/i;

/** A refusal by a peer as a typed error keeping its words (an admin the peer does not accept: UNAUTHORIZED). */
function peerRefusal(error: unknown, what: string): unknown {
  if (!(error instanceof ProposalRefused)) return error;
  const options = {
    stage: 'endorse' as const,
    cause: error,
    detail: { framework: FRAMEWORK, code: error.status, message: error.peerMessage, data: { peer: error.endpoint } },
  };
  if (/access denied|creator|signature|not an admin|policy/i.test(error.peerMessage))
    return new UnauthorizedError(`${what}: ${error.peerMessage}`, options);
  return new RejectedByChainError(`${what}: ${error.peerMessage}`, options);
}

/** The channels the peer has joined (cscc `GetChannels`). */
export async function peerChannels(client: PeerClient, identity: SigningIdentity, deadline: number): Promise<string[]> {
  try {
    const bytes = await client.invoke(identity, 'cscc', '', ['GetChannels'], deadline);
    return peerProtos.ChannelQueryResponse.deserializeBinary(bytes)
      .getChannelsList()
      .map((c) => c.getChannelId());
  } catch (error) {
    throw peerRefusal(error, `listing the channels of ${client.target.endpoint}`);
  }
}

/**
 * Joins the peer to the channel whose block 0 is `block` (cscc `JoinChain`, signed by the
 * org's admin: the peer's local MSP must see an admin). A peer that joined meanwhile is
 * success; the caller skips peers `peerChannels` already lists on it.
 */
export async function joinPeer(
  client: PeerClient,
  identity: SigningIdentity,
  channel: string,
  block: Uint8Array,
  deadline: number,
): Promise<'joined' | 'already'> {
  try {
    await client.invoke(identity, 'cscc', '', ['JoinChain', block], deadline);
    return 'joined';
  } catch (error) {
    if (error instanceof ProposalRefused && ALREADY_JOINED.test(error.peerMessage)) return 'already';
    throw peerRefusal(error, `joining ${client.target.endpoint} to ${channel}`);
  }
}

/** Block 0 of `channel` as a peer that joined it holds it (qscc, as a reader of the channel). */
export async function blockZero(client: PeerClient, identity: SigningIdentity, channel: string, deadline: number): Promise<Uint8Array> {
  try {
    return await client.invoke(identity, 'qscc', channel, ['GetBlockByNumber', channel, '0'], deadline);
  } catch (error) {
    throw peerRefusal(error, `reading block 0 of ${channel} from ${client.target.endpoint}`);
  }
}

/** The channel's current configuration (`common.Config`) as the peer holds it (cscc `GetChannelConfig`). */
export async function channelConfig(client: PeerClient, identity: SigningIdentity, channel: string, deadline: number): Promise<Uint8Array> {
  try {
    return await client.invoke(identity, 'cscc', channel, ['GetChannelConfig', channel], deadline);
  } catch (error) {
    throw peerRefusal(error, `reading the configuration of ${channel} from ${client.target.endpoint}`);
  }
}
