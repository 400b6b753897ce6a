import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NodeProcess, type Availability, type Devnet } from '@bsn/devnets';
import { testChaincode } from './chaincode.js';
import { peerOrg } from './crypto.js';
import { FABRIC_PSEUDO_VERSION, FABRIC_VERSION, fabricBinary, fabricCliAvailability } from './fabric-build.js';
import { joinAndDeploy } from './join-and-deploy.js';
import { FabricNetworkBuilder } from './network-builder.js';
import { prepareNetworkFiles, type PeerNode } from './network-files.js';
import { distinctFreePorts } from './probes.js';
import { devnetFolders, failedStart, heightOf, startedDevnet, type StartedFabricDevnet } from './started-devnet.js';
import { fabricEnv, runTool } from './tools.js';

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
        dir,
        orgs,
        channel,
        orderer,
        peers,
        batchTimeoutMs: this.batchTimeoutMs,
        log,
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
        name: this.name,
        dir,
        logDir,
        log,
        startedAt,
        channel,
        orgs,
        crypto: files.crypto,
        block: files.block,
        host: '127.0.0.1',
        orderer: { ...orderer, process: ordererProcess },
        peers: peers.map((p, i) => ({ ...p, process: peerProcesses[i]! })),
        chaincodes: this.chaincodes ?? [testChaincode()],
        onProcess: (name, process) => processes.push({ name, process }),
      });

      const node = `hyperledger-fabric/v${await versionOf('peer')} (orderer v${await versionOf('orderer')}, ${FABRIC_PSEUDO_VERSION})`;
      return startedDevnet({
        name: this.name,
        kind: this.kind,
        node,
        network,
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

async function versionOf(cmd: 'peer' | 'orderer'): Promise<string> {
  const out = await runTool(fabricBinary(cmd), ['version']);
  return /Version:\s*(\S+)/.exec(out)?.[1] ?? 'unknown';
}
