import { FabricNetworkBuilder } from './network-builder.js';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Availability, Devnet, StartedDevnet } from '@bsn/devnets';
import { goVersion, NodeProcess, waitFor } from '@bsn/devnets';
import { deployChaincode, testChaincode, writeExternalBuilder, type DeployedChaincode, type FabricChaincodeSpec } from './chaincode.js';
import { createGenesisBlock } from './configtx.js';
import { generateCrypto, ORDERER_MSP, peerOrg, type CryptoMaterial, type PeerOrgSpec } from './crypto.js';
import { FABRIC_PSEUDO_VERSION, FABRIC_VERSION, fabricBinariesPresent, fabricBinary, fabricBuildFailureLog } from './fabric-build.js';
import { canEndorse, openGateway } from './gateway-probe.js';
import type { FabricNetworkConfig, FabricOrganization } from './network-config.js';
import { ordererYaml, peerCoreYaml } from './node-config.js';
import { PeerCli, type OrdererTarget } from './peer-cli.js';
import { distinctFreePorts, healthy, raftLeader, tcpOpen } from './probes.js';
import { fabricEnv, runTool } from './tools.js';

/** A Fabric network that is up: the network config, and the processes only it can stop. */
export interface StartedFabricDevnet extends StartedDevnet {
  readonly network: FabricNetworkConfig;
  /** The temp folder with crypto material, configs, ledgers and `logs/`. */
  readonly dir: string;
  readonly logDir: string;
  /** Every long-running process the devnet started (orderer, peers, chaincode servers). */
  processes(): Array<{ name: string; pid: number | undefined }>;
  /** The channel's block height as the org's peer reports it (`peer channel getinfo`). */
  height(mspId?: string): Promise<number>;
}

export interface PeerNode {
  org: PeerOrgSpec;
  host: string;
  port: number;
  chaincodePort: number;
  operationsPort: number;
  configDir: string;
}

/**
 * A real Hyperledger Fabric v2.5 network as local processes, no Docker: one etcdraft orderer
 * and two peer orgs (Org1MSP, Org2MSP) with one peer each, TLS on every gRPC endpoint, all on
 * free 127.0.0.1 ports in a temp folder. One channel, created through the channel
 * participation API; chaincode runs as a service (external builder + a local chaincode server
 * process) with a definition that needs both orgs' endorsements.
 */
export class FabricDevnet extends FabricNetworkBuilder implements Devnet {
  readonly name = 'fabric';
  readonly framework = 'fabric';
  readonly kind = 'process' as const;

  async available(): Promise<Availability> {
    return fabricCliAvailability();
  }

  async start(): Promise<StartedFabricDevnet> {
    const startedAt = Date.now();
    const { dir, logDir, stepLog, log } = devnetFolders('bsn-fabric-');
    const processes: Array<{ name: string; process: NodeProcess }> = [];
    const stopAll = async () => {
      await Promise.all(processes.map((p) => p.process.stop()));
    };
    const channel = this.channel;
    const orgs = [peerOrg(1), peerOrg(2)];

    try {
      log(`starting Fabric v${FABRIC_VERSION} devnet in ${dir}`);
      const [ordererPort, adminPort, ordererOps, ...peerPorts] = await distinctFreePorts(3 + 3 * orgs.length);
      const orderer = { port: ordererPort!, adminPort: adminPort!, operationsPort: ordererOps! };
      const peers: PeerNode[] = orgs.map((org, i) => ({
        org,
        host: 'peer0',
        port: peerPorts[3 * i]!,
        chaincodePort: peerPorts[3 * i + 1]!,
        operationsPort: peerPorts[3 * i + 2]!,
        configDir: join(dir, `peer0.${org.domain}`),
      }));
      const files = await prepareNetworkFiles({
        dir, orgs, channel, orderer, peers, batchTimeoutMs: this.batchTimeoutMs, log,
        channelOrderer: { host: '127.0.0.1', port: orderer.port },
        anchors: new Map(peers.map((p) => [p.org.mspId, { host: '127.0.0.1', port: p.port }])),
      });

      // Orderer and peers boot in parallel.
      const ordererProcess = NodeProcess.start({
        command: fabricBinary('orderer'),
        args: [],
        cwd: files.ordererDir,
        env: fabricEnv({ FABRIC_CFG_PATH: files.ordererDir, FABRIC_LOGGING_SPEC: 'info' }),
        logFile: join(logDir, 'orderer.log'),
      });
      processes.push({ name: 'orderer', process: ordererProcess });
      const peerProcesses = peers.map((p) => {
        const node = NodeProcess.start({
          command: fabricBinary('peer'),
          args: ['node', 'start'],
          cwd: p.configDir,
          env: fabricEnv({ FABRIC_CFG_PATH: p.configDir, FABRIC_LOGGING_SPEC: 'info' }),
          logFile: join(logDir, `peer0.${p.org.domain}.log`),
        });
        processes.push({ name: `peer0.${p.org.domain}`, process: node });
        return node;
      });

      const { network, clis } = await joinAndDeploy({
        name: this.name, dir, logDir, log, startedAt, channel, orgs, crypto: files.crypto, block: files.block,
        host: '127.0.0.1',
        orderer: { ...orderer, process: ordererProcess },
        peers: peers.map((p, i) => ({ ...p, process: peerProcesses[i]! })),
        chaincodes: this.chaincodes ?? [testChaincode()],
        onProcess: (name, process) => processes.push({ name, process }),
      });

      const node = `hyperledger-fabric/v${await versionOf('peer')} (orderer v${await versionOf('orderer')}, ${FABRIC_PSEUDO_VERSION})`;
      return startedDevnet({
        name: this.name, kind: this.kind, node, network, dir, logDir, stepLog, log, startedAt, processes,
        height: heightOf(clis, channel, orgs[0]!.mspId),
        stop: async () => {
          await stopAll();
          log('stopped');
          // Ledgers go; crypto, configs and logs stay for reading a failed run.
          for (const d of [join(files.ordererDir, 'data'), ...peers.map((p) => join(p.configDir, 'data'))]) {
            rmSync(d, { recursive: true, force: true });
          }
        },
      });
    } catch (error) {
      return failedStart('Fabric devnet', error, { log, logDir, stopAll });
    }
  }
}

/** A devnet's temp folder, its `logs/` and the step log every stage appends to. */
export function devnetFolders(prefix: string): { dir: string; logDir: string; stepLog: string; log: (line: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stepLog = join(logDir, 'devnet.log');
  return { dir, logDir, stepLog, log: stepLogger(stepLog) };
}

/** The handle both Fabric devnets return once ready; `stop` runs once however often it is called. */
export function startedDevnet(o: {
  name: string; kind: StartedFabricDevnet['kind']; node: string; network: FabricNetworkConfig;
  dir: string; logDir: string; stepLog: string; log: (line: string) => void; startedAt: number;
  processes: Array<{ name: string; process: NodeProcess }>;
  height: StartedFabricDevnet['height'];
  stop: () => Promise<void>;
}): StartedFabricDevnet {
  o.log(`ready after ${Date.now() - o.startedAt} ms: ${o.node}`);
  let stopped: Promise<void> | undefined;
  return {
    name: o.name,
    kind: o.kind,
    node: o.node,
    network: o.network,
    dir: o.dir,
    logDir: o.logDir,
    logFile: o.stepLog,
    processes: () => o.processes.map((p) => ({ name: p.name, pid: p.process.pid })),
    height: o.height,
    stop: () => (stopped ??= o.stop()),
  };
}

/** A start that failed: logged with its stack, everything started stopped, rethrown with where the logs are. */
export async function failedStart(what: string, error: unknown, o: { log: (line: string) => void; logDir: string; stopAll: () => Promise<void> }): Promise<never> {
  o.log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  await o.stopAll();
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(`${what} failed to start: ${message}\n(logs: ${o.logDir})`, { cause: error });
}

/** Whether the Fabric binaries are built here, and if not, why (no Go, a failed build, not built yet). */
export function fabricCliAvailability(): Availability {
  if (fabricBinariesPresent()) return { ok: true };
  if (!goVersion()) return { ok: false, reason: 'Go is not installed, so Hyperledger Fabric cannot be built from the Go module proxy' };
  if (existsSync(fabricBuildFailureLog())) {
    const lines = readFileSync(fabricBuildFailureLog(), 'utf8').split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
    const why = lines.slice(0, 3).join(' ') || 'unknown error';
    return { ok: false, reason: `building Hyperledger Fabric v${FABRIC_VERSION} failed: ${why} (details: ${fabricBuildFailureLog()})` };
  }
  return {
    ok: false,
    reason: `Hyperledger Fabric is not built yet: run \`node scripts/bootstrap.mjs --for test\` (builds fabric v${FABRIC_VERSION}, ${FABRIC_PSEUDO_VERSION})`,
  };
}

/** Appends timestamped lines to the devnet's step log. */
function stepLogger(file: string): (line: string) => void {
  return (line: string) => appendFileSync(file, `${new Date().toISOString()} ${line.endsWith('\n') ? line : `${line}\n`}`);
}

/** `height(mspId?)` of a started devnet: the channel's height as that org's peer reports it. */
export function heightOf(clis: PeerCli[], channel: string, defaultMspId: string): (mspId?: string) => Promise<number> {
  return async (mspId = defaultMspId) => {
    const cli = clis.find((c) => c.admin.mspId === mspId);
    if (!cli) throw new Error(`no peer of ${mspId}`);
    const height = await cli.height(channel);
    if (height === undefined) throw new Error(`${mspId}'s peer reports no height for ${channel}`);
    return height;
  };
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
  const block = await createGenesisBlock(fabricBinary('configtxgen'), dir, crypto, orgs, {
    channel: o.channel,
    orderer: o.channelOrderer,
    anchors: o.anchors,
    batchTimeout: `${o.batchTimeoutMs}ms`,
  }, log);
  const ordererTls = crypto.orderer.nodeTls('orderer');
  const ordererDir = join(dir, `orderer.${crypto.orderer.domain}`);
  mkdirSync(ordererDir, { recursive: true });
  writeFileSync(join(ordererDir, 'orderer.yaml'), ordererYaml({
    mspId: ORDERER_MSP,
    mspDir: crypto.orderer.nodeMsp('orderer'),
    tls: ordererTls,
    port: o.orderer.port,
    adminPort: o.orderer.adminPort,
    operationsPort: o.orderer.operationsPort,
    dataDir: join(ordererDir, 'data'),
    adminClientCAs: [ordererTls.ca],
  }));
  const builder = writeExternalBuilder(join(dir, 'builders'));
  for (const p of o.peers) {
    const material = crypto.peers.get(p.org.mspId)!;
    mkdirSync(p.configDir, { recursive: true });
    writeFileSync(join(p.configDir, 'core.yaml'), peerCoreYaml({
      id: `${p.host}.${p.org.domain}`,
      mspId: p.org.mspId,
      mspDir: material.nodeMsp(p.host),
      tls: material.nodeTls(p.host),
      port: p.port,
      chaincodePort: p.chaincodePort,
      operationsPort: p.operationsPort,
      dataDir: join(p.configDir, 'data'),
      externalBuilders: [builder],
    }));
  }
  return { crypto, block, ordererDir, builder };
}

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
  const osnadmin = (args: string[]) => runTool(fabricBinary('osnadmin'), [
    'channel', ...args, '-o', `${host}:${orderer.adminPort}`,
    '--ca-file', ordererTls.ca, '--client-cert', adminTls.cert, '--client-key', adminTls.key,
  ], { log, timeoutMs: 15_000 });
  await waitFor(() => osnadmin(['list']).then(() => true as const), {
    what: 'Fabric orderer admin API', timeoutMs: 30_000, process: ordererProcess, intervalMs: 200,
  });
  await waitFor(() => tcpOpen(orderer.port, host), { what: 'Fabric orderer gRPC listener', timeoutMs: 30_000, process: ordererProcess });
  await osnadmin(['join', '--channelID', channel, '--config-block', o.block]);
  await waitFor(async () => {
    const out = await osnadmin(['list', '--channelID', channel]);
    const info = JSON.parse(out.slice(out.indexOf('{'))) as { status?: string; height?: number };
    return info.status === 'active' && (info.height ?? 0) >= 1 ? true : undefined;
  }, { what: `orderer channel ${channel}`, timeoutMs: 30_000, process: ordererProcess });
  // One consenter: it elects itself (within a second or so), after which it accepts
  // broadcasts and serves deliver. The peers join meanwhile (they retry deliver).
  const leader = waitFor(() => raftLeader(orderer.operationsPort, channel, host), {
    what: `orderer leading the Raft cluster of ${channel}`, timeoutMs: 30_000, process: ordererProcess,
  });
  leader.catch(() => {}); // awaited below

  // Peers: up, then joined; each pulls the channel's blocks from the orderer itself.
  const ordererTarget: OrdererTarget = { address: `${host}:${orderer.port}`, tlsRootCert: ordererTls.ca };
  const clis = peers.map((p) => {
    const material = crypto.peers.get(p.org.mspId)!;
    return new PeerCli(fabricBinary('peer'), {
      mspId: p.org.mspId,
      configDir: p.configDir,
      adminMsp: material.userMsp('Admin'),
      address: `${host}:${p.port}`,
      tlsRootCert: material.tlsCaCertPath(),
    }, log);
  });
  await Promise.all(peers.map(async (p, i) => {
    const node = p.process;
    await waitFor(() => healthy(p.operationsPort, host), { what: `Fabric peer of ${p.org.mspId}`, timeoutMs: 30_000, process: node });
    await waitFor(() => clis[i]!.run(['channel', 'list'], 10_000).then(() => true as const), {
      what: `Fabric peer of ${p.org.mspId} answering its admin`, timeoutMs: 30_000, process: node, intervalMs: 200,
    });
    await clis[i]!.joinChannel(o.block);
    await waitFor(async () => ((await clis[i]!.height(channel)) ?? 0) >= 1 ? true : undefined, {
      what: `${p.org.mspId} peer joining ${channel}`, timeoutMs: 30_000, process: node, intervalMs: 200,
    });
  }));
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
    Promise.all(gateways.map((g) => waitFor(() => (closed ? Promise.resolve(true as const) : endorse(g)), {
      what: `${g.org.mspId} gateway ${what}`, timeoutMs: 60_000, intervalMs: 250,
    })));
  const deployed: DeployedChaincode[] = [];
  try {
    const membership = probe('endorsing _lifecycle with a majority of orgs', (g) =>
      canEndorse(g.gateway, channel, '_lifecycle', 'QueryChaincodeDefinitions', [new Uint8Array()]));
    membership.catch(() => {}); // awaited below; only its rejection while deploying is parked
    // Chaincode as a service.
    const chaincodeTls = crypto.chaincode.nodeTls('server');
    const tls = { cert: chaincodeTls.cert, key: chaincodeTls.key, rootCert: readFileSync(chaincodeTls.ca, 'utf8') };
    for (const spec of o.chaincodes) {
      const cc = await deployChaincode({
        spec, channel, dir, logDir, clis, orderer: ordererTarget, tls, log,
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

async function versionOf(cmd: 'peer' | 'orderer'): Promise<string> {
  const out = await runTool(fabricBinary(cmd), ['version']);
  return /Version:\s*(\S+)/.exec(out)?.[1] ?? 'unknown';
}

function orgConfigs(crypto: CryptoMaterial, orgs: PeerOrgSpec[], peers: PeerNode[], host: string): FabricOrganization[] {
  return orgs.map((org) => {
    const material = crypto.peers.get(org.mspId)!;
    const tlsRootCert = readFileSync(material.tlsCaCertPath(), 'utf8');
    return {
      mspId: org.mspId,
      peers: peers.filter((p) => p.org === org).map((p) => ({
        endpoint: `${host}:${p.port}`,
        hostOverride: `${p.host}.${org.domain}`,
        tlsRootCert,
      })),
      admin: material.identity('Admin'),
      user: material.identity('User1'),
      ca: material.ca(),
      tlsCa: material.tlsCa(),
    };
  });
}

function networkConfig(
  name: string,
  crypto: CryptoMaterial,
  organizations: FabricOrganization[],
  channel: string,
  chaincodes: DeployedChaincode[],
  orderer: { port: number; adminPort: number },
  host: string,
): FabricNetworkConfig {
  const ordererTls = crypto.orderer.nodeTls('orderer');
  const adminTls = crypto.orderer.userTls('Admin');
  return {
    framework: 'fabric',
    name,
    fabricVersion: FABRIC_VERSION,
    channel,
    ...(chaincodes[0] ? { chaincode: chaincodes[0].name } : {}),
    chaincodes: chaincodes.map(({ name, version, sequence, packageId, endorsementPolicy, servers }) => ({
      name, version, sequence, packageId, endorsementPolicy,
      ...(servers.some((sv) => sv.mspId) && { packageIds: Object.fromEntries(servers.map((sv) => [sv.mspId!, sv.packageId])) }),
    })),
    organizations,
    orderer: {
      mspId: ORDERER_MSP,
      endpoint: `${host}:${orderer.port}`,
      hostOverride: `orderer.${crypto.orderer.domain}`,
      tlsRootCert: readFileSync(crypto.orderer.tlsCaCertPath(), 'utf8'),
      adminEndpoint: `${host}:${orderer.adminPort}`,
      adminTlsClient: { certificate: readFileSync(adminTls.cert, 'utf8'), privateKey: readFileSync(adminTls.key, 'utf8') },
      admin: crypto.orderer.identity('Admin'),
      consenterTlsCert: readFileSync(ordererTls.cert, 'utf8'),
      ca: crypto.orderer.ca(),
      tlsCa: crypto.orderer.tlsCa(),
    },
  };
}
