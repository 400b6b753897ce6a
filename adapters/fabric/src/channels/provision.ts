import { UnavailableError, type Logger } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import {
  approve,
  approvedPackage,
  checkInstalled,
  commit,
  committedDefinition,
  NotYet,
  OrgAdminGateway,
  untilReady,
} from './chaincode-definition.js';
import { genesisBlock } from './genesis.js';
import { OrdererAdmin } from './orderer-admin.js';
import { PeerClient } from './peer-client.js';
import { blockZero, channelConfig, joinPeer, peerChannels } from './peer-join.js';
import type { ProvisioningConfig } from './provisioning-config.js';
import { signingIdentity } from './signing-identity.js';

export interface ProvisionRequest {
  /** The channel the preset chaincode already runs on: its config and definition are copied. */
  sharedChannel: string;
  chaincode: string;
  /** The new channel. */
  channel: string;
  network: ProvisioningConfig;
  deadline: number;
  logger: Logger;
}

/** What each step found: `already` on a retry that finds it done. Durations in ms. */
export interface ProvisionReport {
  channel: string;
  genesis: 'built' | 'from-peer';
  orderer: 'joined' | 'already';
  peers: Record<string, 'joined' | 'already'>;
  approvals: Record<string, 'approved' | 'already'>;
  commit: 'committed' | 'already';
  ms: Record<string, number>;
}

/**
 * Makes `channel` a channel like the shared one with the preset chaincode running on it, in
 * this order, every step idempotent so that the same call completes a half-done one:
 *
 * 1. block 0: from any org's peer that already joined the channel (a retry), else built
 *    from the shared channel's current config (genesis.ts: a pure function of both);
 * 2. the orderer joins (participation API; a channel it has is left alone);
 * 3. each org's peer joins (cscc JoinChain signed by the org's admin; joined is left alone);
 * 4. org by org, its preset package must be installed on its peer, then it approves that
 *    package with the shared channel's definition (name, version, plugins, the endorsement
 *    policy bytes as committed there) at sequence 1; then one commit endorsed by every org.
 *    An unchanged re-approval is success; on a channel where the definition is committed,
 *    each org's approval must name its package;
 * 5. every org's peer reports the definition and the chaincode answers `info` on the channel.
 */
export async function provisionChannel(r: ProvisionRequest): Promise<ProvisionReport> {
  const started = performance.now();
  const ms: Record<string, number> = {};
  const lap = (step: string, from: number) => {
    ms[step] = Math.round(performance.now() - from);
  };
  const orgs = r.network.orgs.map((org) => ({
    org,
    identity: signingIdentity(org.mspId, org.admin),
    peer: new PeerClient(org.peer),
    admin: new OrgAdminGateway(org),
  }));
  try {
    let t = performance.now();
    // Asked once per org: which peers are on the channel decides both block 0's source and step 3.
    const onChannel: boolean[] = [];
    for (const o of orgs) onChannel.push((await peerChannels(o.peer, o.identity, r.deadline)).includes(r.channel));
    const joined = orgs.find((_, i) => onChannel[i]);
    let block = joined ? await blockZero(joined.peer, joined.identity, r.channel, r.deadline) : undefined;
    const genesis = block ? ('from-peer' as const) : ('built' as const);
    block ??= genesisBlock(r.channel, await channelConfig(orgs[0]!.peer, orgs[0]!.identity, r.sharedChannel, r.deadline));
    lap('genesis', t);

    t = performance.now();
    const orderer = await new OrdererAdmin(r.network.orderer).join(r.channel, block, r.deadline);
    lap('orderer', t);

    t = performance.now();
    const peers: Record<string, 'joined' | 'already'> = {};
    for (const [i, o] of orgs.entries())
      peers[o.org.mspId] = onChannel[i] ? 'already' : await joinPeer(o.peer, o.identity, r.channel, block, r.deadline);
    lap('peers', t);

    t = performance.now();
    const first = orgs[0]!.admin;
    const definition = await committedDefinition(first.gateway, r.sharedChannel, r.chaincode);
    if (!definition) {
      throw new UnavailableError(`chaincode ${r.chaincode} has no committed definition on ${r.sharedChannel} to copy`, {
        stage: 'query',
        detail: { framework: FRAMEWORK },
      });
    }
    const approvals: Record<string, 'approved' | 'already'> = {};
    let committed: 'committed' | 'already' = 'already';
    // Org by org: the package is installed, then approved (an unchanged approval of the
    // uncommitted sequence is `already`); once committed, an org whose approval names its
    // package is done, and one that approved another package cannot be mended at sequence 1.
    const committedAlready = await untilReady(`reading the definitions on ${r.channel}`, r.deadline, () =>
      committedDefinition(first.gateway, r.channel, r.chaincode),
    );
    for (const o of orgs) {
      await checkInstalled(o.admin, r.sharedChannel, r.deadline);
      if (!committedAlready) {
        approvals[o.org.mspId] = await approve(o.admin, r.channel, definition, r.deadline);
        continue;
      }
      const approved = await approvedPackage(o.admin, r.channel, r.chaincode);
      if (approved !== o.org.packageId) {
        throw new UnavailableError(
          `${o.org.mspId} approved package ${approved ?? '(none)'} for ${r.chaincode} on ${r.channel}, committed already; the config names ${o.org.packageId}`,
          {
            stage: 'endorse',
            field: o.org.packageIdField,
            detail: { framework: FRAMEWORK, data: { approved, configured: o.org.packageId } },
          },
        );
      }
      approvals[o.org.mspId] = 'already';
    }
    lap('approve', t);
    t = performance.now();
    if (!committedAlready)
      committed = await commit(
        first,
        r.channel,
        definition,
        orgs.map((o) => o.org.mspId),
        r.deadline,
      );
    lap('commit', t);

    t = performance.now();
    await Promise.all(
      orgs.map(async (o) => {
        await untilReady(`waiting for ${r.chaincode} on ${o.org.mspId}'s peer`, r.deadline, async () => {
          if (!(await committedDefinition(o.admin.gateway, r.channel, r.chaincode)))
            throw new NotYet(`the definition of ${r.chaincode} is not on ${o.org.mspId}'s peer yet`);
          await o.admin.gateway.getNetwork(r.channel).getContract(r.chaincode).evaluateTransaction('info');
        });
      }),
    );
    lap('ready', t);
    ms.total = Math.round(performance.now() - started);
    const report: ProvisionReport = { channel: r.channel, genesis, orderer, peers, approvals, commit: committed, ms };
    r.logger.info('fabric channel provisioned', { ...report });
    return report;
  } finally {
    for (const o of orgs) {
      o.peer.close();
      o.admin.close();
    }
  }
}
