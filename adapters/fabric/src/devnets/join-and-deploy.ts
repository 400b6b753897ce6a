import { readFileSync } from 'node:fs';
import { waitFor, type NodeProcess } from '@bsn/devnets';
import { deployChaincode, type DeployedChaincode, type FabricChaincodeSpec } from './chaincode.js';
import type { CryptoMaterial, PeerOrgSpec } from './crypto.js';
import { fabricBinary } from './fabric-build.js';
import { canEndorse, openGateway } from './gateway-probe.js';
import { networkConfig, orgConfigs, type FabricNetworkConfig } from './network-config.js';
import type { PeerNode } from './network-files.js';
import { PeerCli, type OrdererTarget } from './peer-cli.js';
import { healthy, raftLeader, tcpOpen } from './probes.js';
import { runTool } from './tools.js';

export interface JoinAndDeployOptions {
  /** The devnet's name (the network config's `name`). */
  name: string;
  dir: string;
  logDir: string;
  log: (line: string) => void;
  startedAt: number;
  channel: string;
  orgs: PeerOrgSpec[];
  crypto: CryptoMaterial;
  block: string;
  /** Where this machine reaches the nodes; the ports below are ports on it. */
  host: string;
  /** The orderer as reached from here; `process`, if any, fails the waits fast when it dies. */
  orderer: { port: number; adminPort: number; operationsPort: number; process?: NodeProcess };
  /** Each peer as reached from here (`configDir` holds the core.yaml its admin's CLI reads). */
  peers: Array<PeerNode & { process?: NodeProcess }>;
  chaincodes: FabricChaincodeSpec[];
  /** Gets every chaincode server process started. */
  onProcess: (name: string, process: NodeProcess) => void;
  /** Where peers dial a chaincode server listening on 127.0.0.1:port (default that address). */
  chaincodeAddress?: (port: number) => Promise<string>;
}

/**
 * With orderer and peers starting: waits for them, joins the orderer (osnadmin) and the peers
 * to the channel, deploys the chaincodes as a service, waits until both orgs' Gateways can
 * endorse, and returns the network config and each org admin's peer CLI.
 */
export async function joinAndDeploy(o: JoinAndDeployOptions): Promise<{ network: FabricNetworkConfig; clis: PeerCli[] }> {
  const { channel, crypto, orgs, log, startedAt, host, orderer, peers, dir, logDir } = o;
  const ordererProcess = orderer.process;
  const ordererTls = crypto.orderer.nodeTls('orderer');

  // Orderer: up, then joined to the channel as its one consenter.
  // (/healthz answers before the gRPC listeners do, so those are probed themselves.)
  await waitFor(() => healthy(orderer.operationsPort, host), { what: 'Fabric orderer', timeoutMs: 30_000, process: ordererProcess });
  const adminTls = crypto.orderer.userTls('Admin');
  const osnadmin = (args: string[]) =>
    runTool(
      fabricBinary('osnadmin'),
      [
        'channel',
        ...args,
        '-o',
        `${host}:${orderer.adminPort}`,
        '--ca-file',
        ordererTls.ca,
        '--client-cert',
        adminTls.cert,
        '--client-key',
        adminTls.key,
      ],
      { log, timeoutMs: 15_000 },
    );
  await waitFor(() => osnadmin(['list']).then(() => true as const), {
    what: 'Fabric orderer admin API',
    timeoutMs: 30_000,
    process: ordererProcess,
    intervalMs: 200,
  });
  await waitFor(() => tcpOpen(orderer.port, host), { what: 'Fabric orderer gRPC listener', timeoutMs: 30_000, process: ordererProcess });
  await osnadmin(['join', '--channelID', channel, '--config-block', o.block]);
  await waitFor(
    async () => {
      const out = await osnadmin(['list', '--channelID', channel]);
      const info = JSON.parse(out.slice(out.indexOf('{'))) as { status?: string; height?: number };
      return info.status === 'active' && (info.height ?? 0) >= 1 ? true : undefined;
    },
    { what: `orderer channel ${channel}`, timeoutMs: 30_000, process: ordererProcess },
  );
  // One consenter: it elects itself (within a second or so), after which it accepts
  // broadcasts and serves deliver. The peers join meanwhile (they retry deliver).
  const leader = waitFor(() => raftLeader(orderer.operationsPort, channel, host), {
    what: `orderer leading the Raft cluster of ${channel}`,
    timeoutMs: 30_000,
    process: ordererProcess,
  });
  leader.catch(() => {}); // awaited below

  // Peers: up, then joined; each pulls the channel's blocks from the orderer itself.
  const ordererTarget: OrdererTarget = { address: `${host}:${orderer.port}`, tlsRootCert: ordererTls.ca };
  const clis = peers.map((p) => {
    const material = crypto.peers.get(p.org.mspId)!;
    return new PeerCli(
      fabricBinary('peer'),
      {
        mspId: p.org.mspId,
        configDir: p.configDir,
        adminMsp: material.userMsp('Admin'),
        address: `${host}:${p.port}`,
        tlsRootCert: material.tlsCaCertPath(),
      },
      log,
    );
  });
  await Promise.all(
    peers.map(async (p, i) => {
      const node = p.process;
      await waitFor(() => healthy(p.operationsPort, host), { what: `Fabric peer of ${p.org.mspId}`, timeoutMs: 30_000, process: node });
      await waitFor(() => clis[i]!.run(['channel', 'list'], 10_000).then(() => true as const), {
        what: `Fabric peer of ${p.org.mspId} answering its admin`,
        timeoutMs: 30_000,
        process: node,
        intervalMs: 200,
      });
      await clis[i]!.joinChannel(o.block);
      await waitFor(async () => (((await clis[i]!.height(channel)) ?? 0) >= 1 ? true : undefined), {
        what: `${p.org.mspId} peer joining ${channel}`,
        timeoutMs: 30_000,
        process: node,
        intervalMs: 200,
      });
    }),
  );
  await leader;
  log(`channel ${channel} up on the orderer and both peers after ${Date.now() - startedAt} ms`);

  // Ready means: every org's gateway can collect endorsements from every org that a policy
  // asks for, i.e. cross-org gossip membership has formed (checked on _lifecycle, whose
  // endorsement needs a majority of orgs) and each chaincode's state has spread (checked
  // on the chaincode). Membership forms while chaincode is being deployed.
  const organizations = orgConfigs(crypto, orgs, peers, host);
  const gateways = organizations.map((org) => ({ org, ...openGateway(org) }));
  let closed = false; // ends probes still polling when start() fails elsewhere
  const probe = (what: string, endorse: (g: (typeof gateways)[number]) => Promise<true>) =>
    Promise.all(
      gateways.map((g) =>
        waitFor(() => (closed ? Promise.resolve(true as const) : endorse(g)), {
          what: `${g.org.mspId} gateway ${what}`,
          timeoutMs: 60_000,
          intervalMs: 250,
        }),
      ),
    );
  const deployed: DeployedChaincode[] = [];
  try {
    const membership = probe('endorsing _lifecycle with a majority of orgs', (g) =>
      canEndorse(g.gateway, channel, '_lifecycle', 'QueryChaincodeDefinitions', [new Uint8Array()]),
    );
    membership.catch(() => {}); // awaited below; only its rejection while deploying is parked
    // Chaincode as a service.
    const chaincodeTls = crypto.chaincode.nodeTls('server');
    const tls = { cert: chaincodeTls.cert, key: chaincodeTls.key, rootCert: readFileSync(chaincodeTls.ca, 'utf8') };
    for (const spec of o.chaincodes) {
      const cc = await deployChaincode({
        spec,
        channel,
        dir,
        logDir,
        clis,
        orderer: ordererTarget,
        tls,
        log,
        ...(o.chaincodeAddress && { advertise: o.chaincodeAddress }),
      });
      for (const server of cc.servers) {
        o.onProcess(`chaincode ${cc.name}${server.mspId ? ` (${server.mspId})` : ''}`, server.process);
      }
      deployed.push(cc);
      log(`chaincode ${cc.name} committed (${cc.packageId}) after ${Date.now() - startedAt} ms`);
    }
    await membership;
    log(`cross-org gossip membership formed after ${Date.now() - startedAt} ms`);
    for (const cc of deployed) {
      await probe(`endorsing ${cc.name} as its policy asks`, (g) => canEndorse(g.gateway, channel, cc.name));
    }
  } finally {
    closed = true;
    for (const g of gateways) g.close();
  }
  return { network: networkConfig(o.name, crypto, organizations, channel, deployed, orderer, host), clis };
}
