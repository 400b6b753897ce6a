import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ORDERER_MSP, type CryptoMaterial, type PeerOrgSpec } from './crypto.js';
import { runTool } from './tools.js';

export const CHANNEL_PROFILE = 'BsnDevnetChannel';

export interface ChannelLayout {
  channel: string;
  orderer: { host: string; port: number };
  /** Anchor peer per org: the org's one peer, so peers of different orgs find each other by gossip. */
  anchors: Map<string, { host: string; port: number }>;
  /** Time the orderer waits before cutting a block that is not full. */
  batchTimeout: string;
}

const signature = (rule: string) => ({ Type: 'Signature', Rule: rule });
const implicit = (rule: string) => ({ Type: 'ImplicitMeta', Rule: rule });

/**
 * The channel's configtx.yaml, one profile: an etcdraft orderer with one consenter (TLS) and
 * the peer orgs as application orgs with V2_5 capabilities. Chaincode lifecycle changes need a
 * majority of org admins' peers (both of two orgs).
 */
export function configtxYaml(crypto: CryptoMaterial, orgs: PeerOrgSpec[], layout: ChannelLayout): string {
  const ordererTls = crypto.orderer.nodeTls('orderer');
  const ordererOrg = {
    Name: 'OrdererOrg',
    ID: ORDERER_MSP,
    MSPDir: crypto.orderer.mspDir,
    Policies: {
      Readers: signature(`OR('${ORDERER_MSP}.member')`),
      Writers: signature(`OR('${ORDERER_MSP}.member')`),
      Admins: signature(`OR('${ORDERER_MSP}.admin')`),
    },
    OrdererEndpoints: [`${layout.orderer.host}:${layout.orderer.port}`],
  };
  const peerOrgs = orgs.map((org) => {
    const anchor = layout.anchors.get(org.mspId);
    return {
      Name: org.mspId,
      ID: org.mspId,
      MSPDir: crypto.peers.get(org.mspId)!.mspDir,
      Policies: {
        Readers: signature(`OR('${org.mspId}.admin', '${org.mspId}.peer', '${org.mspId}.client')`),
        Writers: signature(`OR('${org.mspId}.admin', '${org.mspId}.client')`),
        Admins: signature(`OR('${org.mspId}.admin')`),
        Endorsement: signature(`OR('${org.mspId}.peer')`),
      },
      AnchorPeers: anchor ? [{ Host: anchor.host, Port: anchor.port }] : [],
    };
  });
  const standard = { Readers: implicit('ANY Readers'), Writers: implicit('ANY Writers'), Admins: implicit('MAJORITY Admins') };
  const config = {
    Profiles: {
      [CHANNEL_PROFILE]: {
        Policies: standard,
        Capabilities: { V2_0: true },
        Orderer: {
          OrdererType: 'etcdraft',
          BatchTimeout: layout.batchTimeout,
          BatchSize: { MaxMessageCount: 10, AbsoluteMaxBytes: '99 MB', PreferredMaxBytes: '512 KB' },
          EtcdRaft: {
            Consenters: [
              {
                Host: layout.orderer.host,
                Port: layout.orderer.port,
                ClientTLSCert: ordererTls.cert,
                ServerTLSCert: ordererTls.cert,
              },
            ],
            Options: {
              TickInterval: '500ms',
              ElectionTick: 10,
              HeartbeatTick: 1,
              MaxInflightBlocks: 5,
              SnapshotIntervalSize: '16 MB',
            },
          },
          Organizations: [ordererOrg],
          Policies: { ...standard, BlockValidation: implicit('ANY Writers') },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: peerOrgs,
          Policies: {
            ...standard,
            LifecycleEndorsement: implicit('MAJORITY Endorsement'),
            Endorsement: implicit('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
  return stringify(config);
}

/** Writes configtx.yaml and has configtxgen turn it into the channel's genesis block; returns the block's path. */
export async function createGenesisBlock(
  configtxgen: string,
  dir: string,
  crypto: CryptoMaterial,
  orgs: PeerOrgSpec[],
  layout: ChannelLayout,
  log: (line: string) => void,
): Promise<string> {
  const configDir = join(dir, 'configtx');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'configtx.yaml'), configtxYaml(crypto, orgs, layout));
  const block = join(dir, `${layout.channel}.block`);
  await runTool(configtxgen, ['-configPath', configDir, '-profile', CHANNEL_PROFILE, '-channelID', layout.channel, '-outputBlock', block], {
    log,
  });
  return block;
}
