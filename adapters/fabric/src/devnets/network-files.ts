import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeExternalBuilder } from './chaincode.js';
import { createGenesisBlock } from './configtx.js';
import { generateCrypto, ORDERER_MSP, type CryptoMaterial, type PeerOrgSpec } from './crypto.js';
import { fabricBinary } from './fabric-build.js';
import { ordererYaml, peerCoreYaml } from './node-config.js';

/** One peer: `host` is its name within its org's domain, the ports are where it listens. */
export interface PeerNode {
  org: PeerOrgSpec;
  host: string;
  port: number;
  chaincodePort: number;
  operationsPort: number;
  configDir: string;
}

export interface NetworkFilesOptions {
  dir: string;
  orgs: PeerOrgSpec[];
  channel: string;
  /** The ports the orderer listens on (written into its orderer.yaml). */
  orderer: { port: number; adminPort: number; operationsPort: number };
  /** The ports each peer listens on and its config folder (core.yaml is written there). */
  peers: PeerNode[];
  batchTimeoutMs: number;
  /** The orderer as the channel config names it (consenter and orderer endpoint). */
  channelOrderer: { host: string; port: number };
  /** Each org's anchor peer as the channel config names it. */
  anchors: Map<string, { host: string; port: number }>;
  /** More names the TLS certificates carry. */
  extraSans?: string[];
  log: (line: string) => void;
}

export interface NetworkFiles {
  crypto: CryptoMaterial;
  /** The channel's genesis block. */
  block: string;
  /** Folder with orderer.yaml. */
  ordererDir: string;
  builder: { name: string; path: string };
}

/**
 * Everything a network needs on disk before any node starts: crypto material (cryptogen),
 * the channel's genesis block (configtxgen), orderer.yaml, one core.yaml per peer, and the
 * chaincode-as-a-service external builder. All paths inside are absolute paths under `dir`.
 */
export async function prepareNetworkFiles(o: NetworkFilesOptions): Promise<NetworkFiles> {
  const { dir, orgs, log } = o;
  const crypto = await generateCrypto(fabricBinary('cryptogen'), dir, orgs, log, o.extraSans);
  const block = await createGenesisBlock(
    fabricBinary('configtxgen'),
    dir,
    crypto,
    orgs,
    {
      channel: o.channel,
      orderer: o.channelOrderer,
      anchors: o.anchors,
      batchTimeout: `${o.batchTimeoutMs}ms`,
    },
    log,
  );
  const ordererTls = crypto.orderer.nodeTls('orderer');
  const ordererDir = join(dir, `orderer.${crypto.orderer.domain}`);
  mkdirSync(ordererDir, { recursive: true });
  writeFileSync(
    join(ordererDir, 'orderer.yaml'),
    ordererYaml({
      mspId: ORDERER_MSP,
      mspDir: crypto.orderer.nodeMsp('orderer'),
      tls: ordererTls,
      port: o.orderer.port,
      adminPort: o.orderer.adminPort,
      operationsPort: o.orderer.operationsPort,
      dataDir: join(ordererDir, 'data'),
      adminClientCAs: [ordererTls.ca],
    }),
  );
  const builder = writeExternalBuilder(join(dir, 'builders'));
  for (const p of o.peers) {
    const material = crypto.peers.get(p.org.mspId)!;
    mkdirSync(p.configDir, { recursive: true });
    writeFileSync(
      join(p.configDir, 'core.yaml'),
      peerCoreYaml({
        id: `${p.host}.${p.org.domain}`,
        mspId: p.org.mspId,
        mspDir: material.nodeMsp(p.host),
        tls: material.nodeTls(p.host),
        port: p.port,
        chaincodePort: p.chaincodePort,
        operationsPort: p.operationsPort,
        dataDir: join(p.configDir, 'data'),
        externalBuilders: [builder],
      }),
    );
  }
  return { crypto, block, ordererDir, builder };
}
