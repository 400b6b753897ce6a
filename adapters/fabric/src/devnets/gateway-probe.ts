import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import type { FabricNetworkConfig, FabricOrganization } from './network-config.js';

/** A Gateway connection as one org's client user, through the org's first peer. */
export function openGateway(org: FabricOrganization): { gateway: Gateway; close: () => void } {
  const peer = org.peers[0];
  if (!peer) throw new Error(`${org.mspId} has no peer`);
  const client = new grpc.Client(peer.endpoint, grpc.credentials.createSsl(Buffer.from(peer.tlsRootCert)), {
    'grpc.ssl_target_name_override': peer.hostOverride,
  });
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: Buffer.from(org.user.certificate) },
    signer: signers.newPrivateKeySigner(createPrivateKey(org.user.privateKey)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
    submitOptions: () => ({ deadline: Date.now() + 10_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

/** The network's chaincode through each org's own gateway, in the config's org order. */
export function openContracts(network: FabricNetworkConfig): { contracts: Contract[]; close: () => void } {
  const gateways = network.organizations.map(openGateway);
  return {
    contracts: gateways.map((g) => g.gateway.getNetwork(network.channel).getContract(network.chaincode!)),
    close: () => gateways.forEach((g) => g.close()),
  };
}

/**
 * Whether the org's gateway peer can collect endorsements that satisfy the chaincode's
 * policy right now: it needs gossip membership with the other orgs' peers and their
 * chaincode state, which arrive a little after the chaincode is committed. Endorses (never
 * submits) `fn`, by default the contract API's built-in metadata function, so the ledger is
 * not touched.
 */
export async function canEndorse(
  gateway: Gateway,
  channel: string,
  chaincode: string,
  fn = 'org.hyperledger.fabric:GetMetadata',
  args: Array<string | Uint8Array> = [],
): Promise<true> {
  try {
    await gateway.getNetwork(channel).getContract(chaincode).newProposal(fn, { arguments: args }).endorse();
    return true;
  } catch (error) {
    throw new Error(describeGatewayError(error), { cause: error });
  }
}

/** A gateway error with the peers' own reasons (`details`), which its message leaves out. */
export function describeGatewayError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = (error as { details?: Array<{ mspId?: string; address?: string; message?: string }> }).details ?? [];
  return [error.message, ...details.map((d) => `${d.mspId ?? '?'} ${d.address ?? ''}: ${d.message ?? ''}`)].join('; ');
}
