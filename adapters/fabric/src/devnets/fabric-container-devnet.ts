import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  containerEngine,
  loadTestcontainers,
  type Availability,
  type Devnet,
  type NodeProcess,
  type StartedNetwork,
  type StartedTestContainer,
} from '@bsn/devnets';
import { testChaincode } from './chaincode.js';
import { peerOrg } from './crypto.js';
import { FABRIC_VERSION, fabricCliAvailability } from './fabric-build.js';
import { joinAndDeploy } from './join-and-deploy.js';
import { FabricNetworkBuilder } from './network-builder.js';
import { prepareNetworkFiles, type PeerNode } from './network-files.js';
import { devnetFolders, failedStart, heightOf, startedDevnet, type StartedFabricDevnet } from './started-devnet.js';

/** The official images, same release as the binaries the process devnet builds. */
export const FABRIC_IMAGES = {
  orderer: `hyperledger/fabric-orderer:${FABRIC_VERSION}`,
  peer: `hyperledger/fabric-peer:${FABRIC_VERSION}`,
} as const;

/** Ports inside the containers (fixed: every node has its own network namespace). */
const ORDERER_PORT = 7050;
const ORDERER_ADMIN_PORT = 7053;
const PEER_PORT = 7051;
const PEER_CHAINCODE_PORT = 7052;
const OPERATIONS_PORT = 9443;

/** The name containers reach this machine's exposed ports by (testcontainers' port forwarder). */
const HOST_FROM_CONTAINERS = 'host.testcontainers.internal';

/**
 * The process devnet's network — one etcdraft orderer, Org1MSP and Org2MSP with one peer
 * each, TLS everywhere, one channel joined through the channel participation API, chaincode
 * as a service — with orderer and peers in containers of the official Fabric images, on one
 * container network where they find each other by their TLS names (`orderer.example.com`,
 * `peer0.org1.example.com`, …). Crypto material, the genesis block and the node configs are
 * generated on this machine by the same code as the process devnet (`prepareNetworkFiles`),
 * copied into the containers at the same absolute paths, with addresses overridden by
 * CORE_PEER_* / ORDERER_* variables. Channel joins and chaincode deployment run from here
 * against the mapped ports (`joinAndDeploy`); chaincode servers stay local processes, which
 * the peers dial at `host.testcontainers.internal:<port>` (ports exposed to the containers).
 *
 * Needs a container engine, and on this machine the Fabric CLIs (cryptogen, configtxgen,
 * osnadmin, peer) that the bootstrap builds. Never run where it was written (no engine there).
 */
export class FabricContainerDevnet extends FabricNetworkBuilder implements Devnet {
  readonly name = 'fabric-container';
  readonly framework = 'fabric';
  readonly kind = 'container' as const;

  async available(): Promise<Availability> {
    const engine = await containerEngine();
    // The CLIs (cryptogen, configtxgen, osnadmin, peer) run on this machine.
    return engine.ok ? fabricCliAvailability() : engine;
  }

  async start(): Promise<StartedFabricDevnet> {
    const { GenericContainer, Network, TestContainers, Wait, getContainerRuntimeClient } = await loadTestcontainers();
    const startedAt = Date.now();
    const { dir, logDir, stepLog, log } = devnetFolders('bsn-fabric-container-');
    const channel = this.channel;
    const orgs = [peerOrg(1), peerOrg(2)];
    const containers: Array<{ name: string; container: StartedTestContainer }> = [];
    const processes: Array<{ name: string; process: NodeProcess }> = [];
    let network: StartedNetwork | undefined;
    const stopAll = async () => {
      await Promise.allSettled(processes.map((p) => p.process.stop()));
      await Promise.allSettled(containers.map((c) => c.container.stop()));
      await network?.stop().catch(() => {});
    };

    try {
      // Where this machine reaches mapped ports: in TLS certificates' names too, so the
      // peer CLI and osnadmin (which check the name they dial) accept the nodes' certificates.
      const client = await getContainerRuntimeClient();
      const host = client.info.containerRuntime.host;
      log(`starting Fabric v${FABRIC_VERSION} container devnet in ${dir} (engine host ${host})`);

      const ordererName = 'orderer.example.com';
      const peers: PeerNode[] = orgs.map((org) => ({
        org,
        host: 'peer0',
        port: PEER_PORT,
        chaincodePort: PEER_CHAINCODE_PORT,
        operationsPort: OPERATIONS_PORT,
        configDir: join(dir, `peer0.${org.domain}`),
      }));
      const peerName = (p: PeerNode) => `${p.host}.${p.org.domain}`;
      const files = await prepareNetworkFiles({
        dir,
        orgs,
        channel,
        peers,
        batchTimeoutMs: this.batchTimeoutMs,
        log,
        orderer: { port: ORDERER_PORT, adminPort: ORDERER_ADMIN_PORT, operationsPort: OPERATIONS_PORT },
        channelOrderer: { host: ordererName, port: ORDERER_PORT },
        anchors: new Map(peers.map((p) => [p.org.mspId, { host: peerName(p), port: PEER_PORT }])),
        extraSans: [HOST_FROM_CONTAINERS, host],
      });

      // The port forwarder must run before the containers are created: only then do they get
      // the host.testcontainers.internal entry. Chaincode ports are exposed as they are chosen.
      await TestContainers.exposeHostPorts();
      network = await new Network().start();
      const logTo = (name: string) => (stream: NodeJS.ReadableStream) => {
        const file = join(logDir, `${name}.log`);
        stream.on('data', (d: Buffer | string) => appendFileSync(file, d));
      };
      // Every generated path (crypto, configs, builder, ledgers) is under `dir`: copied to
      // the same absolute path inside each container, the configs hold as written. (Copied,
      // not bind-mounted, so that a remote engine works too.)
      const node = (image: string, name: string) =>
        new GenericContainer(image)
          .withNetwork(network!)
          .withNetworkAliases(name)
          .withHostname(name)
          .withCopyDirectoriesToContainer([{ source: dir, target: dir }])
          .withLogConsumer(logTo(name))
          .withStartupTimeout(120_000);

      const ordererContainer = node(FABRIC_IMAGES.orderer, ordererName)
        .withEnvironment({
          FABRIC_CFG_PATH: files.ordererDir,
          FABRIC_LOGGING_SPEC: 'info',
          ORDERER_GENERAL_LISTENADDRESS: '0.0.0.0',
          ORDERER_GENERAL_LISTENPORT: String(ORDERER_PORT),
          ORDERER_ADMIN_LISTENADDRESS: `0.0.0.0:${ORDERER_ADMIN_PORT}`,
          ORDERER_OPERATIONS_LISTENADDRESS: `0.0.0.0:${OPERATIONS_PORT}`,
        })
        .withWorkingDir(files.ordererDir)
        .withCommand(['orderer'])
        .withExposedPorts(ORDERER_PORT, ORDERER_ADMIN_PORT, OPERATIONS_PORT)
        .withWaitStrategy(Wait.forHttp('/healthz', OPERATIONS_PORT).forStatusCode(200))
        .start();
      const peerContainers = peers.map((p) => {
        const name = peerName(p);
        return node(FABRIC_IMAGES.peer, name)
          .withEnvironment({
            FABRIC_CFG_PATH: p.configDir,
            FABRIC_LOGGING_SPEC: 'info',
            CORE_PEER_LISTENADDRESS: `0.0.0.0:${PEER_PORT}`,
            CORE_PEER_ADDRESS: `${name}:${PEER_PORT}`,
            CORE_PEER_CHAINCODELISTENADDRESS: `0.0.0.0:${PEER_CHAINCODE_PORT}`,
            CORE_PEER_CHAINCODEADDRESS: `${name}:${PEER_CHAINCODE_PORT}`,
            CORE_PEER_GOSSIP_BOOTSTRAP: `${name}:${PEER_PORT}`,
            CORE_PEER_GOSSIP_EXTERNALENDPOINT: `${name}:${PEER_PORT}`,
            CORE_OPERATIONS_LISTENADDRESS: `0.0.0.0:${OPERATIONS_PORT}`,
          })
          .withWorkingDir(p.configDir)
          .withCommand(['peer', 'node', 'start'])
          .withExposedPorts(PEER_PORT, OPERATIONS_PORT)
          .withWaitStrategy(Wait.forHttp('/healthz', OPERATIONS_PORT).forStatusCode(200))
          .start();
      });
      // Started in parallel; every one that started is stopped again if another fails.
      const settled = await Promise.allSettled([ordererContainer, ...peerContainers]);
      settled.forEach((s, i) => {
        if (s.status === 'fulfilled') containers.push({ name: i === 0 ? ordererName : peerName(peers[i - 1]!), container: s.value });
      });
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      const [orderer, ...peerNodes] = containers.map((c) => c.container);
      log(`containers up after ${Date.now() - startedAt} ms`);

      const { network: config, clis } = await joinAndDeploy({
        name: this.name,
        dir,
        logDir,
        log,
        startedAt,
        channel,
        orgs,
        crypto: files.crypto,
        block: files.block,
        host,
        orderer: {
          port: orderer!.getMappedPort(ORDERER_PORT),
          adminPort: orderer!.getMappedPort(ORDERER_ADMIN_PORT),
          operationsPort: orderer!.getMappedPort(OPERATIONS_PORT),
        },
        peers: peers.map((p, i) => ({
          ...p,
          port: peerNodes[i]!.getMappedPort(PEER_PORT),
          operationsPort: peerNodes[i]!.getMappedPort(OPERATIONS_PORT),
        })),
        chaincodes: this.chaincodes ?? [testChaincode()],
        onProcess: (name, process) => processes.push({ name, process }),
        chaincodeAddress: async (port) => {
          await TestContainers.exposeHostPorts(port);
          return `${HOST_FROM_CONTAINERS}:${port}`;
        },
      });

      const nodeVersion = await versionIn(peerNodes[0]!, ['peer', 'version']);
      const ordererVersion = await versionIn(orderer!, ['orderer', 'version']);
      const nodeName = `hyperledger-fabric/v${nodeVersion} (orderer v${ordererVersion}; ${FABRIC_IMAGES.peer}, ${FABRIC_IMAGES.orderer})`;
      return startedDevnet({
        name: this.name,
        kind: this.kind,
        node: nodeName,
        network: config,
        dir,
        logDir,
        stepLog,
        log,
        startedAt,
        processes,
        height: heightOf(clis, channel, orgs[0]!.mspId),
        stop: async () => {
          await stopAll();
          log('stopped');
        },
      });
    } catch (error) {
      return failedStart('Fabric container devnet', error, { log, logDir, stopAll });
    }
  }
}

async function versionIn(container: StartedTestContainer, command: string[]): Promise<string> {
  const { output } = await container.exec(command);
  return /Version:\s*(\S+)/.exec(output)?.[1] ?? 'unknown';
}
