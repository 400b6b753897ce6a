/**
 * What `bsn interchain demo` (and the Fabric↔Ethereum end-to-end test) runs on: a Fabric devnet
 * and an anvil chain started from their plugins' own devnets, and three city nodes on 127.0.0.1
 * connected to both — each an attester pinning the other two as peers and both chains' roots with
 * the three attesters at threshold 2; both chains pin the same three for delivery (configured by
 * each devnet's operator). Node 1 relays. Everything started here is stopped by `stop()`, also
 * when starting fails half-way.
 */
import {
  generatePrivateKey,
  publicKeyOf,
  toHex,
  type Adapter,
  type Attester,
  type Logger,
  type NetworkConfig,
  type Signer,
} from '@bsn/contract';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CityNode, NodeKeys, resolveNodeConfig } from '@bsn/city-node';
import { BsnClient } from '@bsn/client';
import { PluginHost, loadDevnetProvider, parseTrustedCertifiers, type TrustedCertifier } from '@bsn/plugin-host';
import { readFile } from 'node:fs/promises';
import { Teardown } from '../teardown.js';

/** A certified plugin the demo runs one chain with. */
export interface DemoPlugin {
  folder: string;
  certificate: string;
}

export interface DemoFleetOptions {
  fabric: DemoPlugin;
  ethereum: DemoPlugin;
  /** The node config's `trust` section (certifier files, suites), as every node gets it. */
  trust: { certifiers: string[]; suites?: { current: string } };
  /** The installed kit's suite version, as `bsn node start` passes it. */
  suiteVersion?: string;
  /** Where the nodes keep their keys and registries (the caller removes it). */
  dataDir: string;
  progress: (line: string) => void;
  logger?: Logger;
  /** Where each started part registers its stop (the CLI's, so Ctrl-C stops a fleet still starting). */
  teardown?: Teardown;
}

/** One chain: its name (the network name on every node and in packets) and an adapter of the demo's own. */
export interface DemoChain {
  name: string;
  framework: string;
  /** Connected by the demo, not by a node: what it reads is the chain's word, not a node's records. */
  reader: Adapter;
  network: NetworkConfig;
}

export interface DemoFleet {
  chains: { fabric: DemoChain; ethereum: DemoChain };
  nodes: CityNode[];
  /** The demo user (admin of portal `demo` on every node) signing through node `i`. */
  client(i?: number): BsnClient;
  /** The user's portal: apps are `demo:<code>` on chain. */
  portal: string;
  stop(): Promise<void>;
}

export const FABRIC_CHAIN = 'local-fabric';
export const ANVIL_CHAIN = 'local-anvil';
const PASSPHRASE = 'bsn interchain demo';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

export async function startDemoFleet(o: DemoFleetOptions): Promise<DemoFleet> {
  const teardown = o.teardown ?? new Teardown();
  const stop = () => teardown.run();
  const add = (step: () => Promise<unknown>) => {
    teardown.add(step);
    if (teardown.ran) throw new Error('the demo was stopped while starting');
  };
  try {
    const trusted: TrustedCertifier[] = [];
    for (const file of o.trust.certifiers) trusted.push(...parseTrustedCertifiers(JSON.parse(await readFile(file, 'utf8')), file));
    const host = new PluginHost({
      trustedCertifiers: trusted,
      logger: quiet,
      ...(o.trust.suites ? { suites: o.trust.suites } : o.suiteVersion ? { suites: { current: o.suiteVersion } } : {}),
    });

    // The chains, from each plugin's own local devnet (binaries built into .cache/ if missing).
    const chains = {} as DemoFleet['chains'];
    const operators = {} as Record<'fabric' | 'ethereum', Signer>;
    for (const [framework, name] of [
      ['fabric', FABRIC_CHAIN],
      ['ethereum', ANVIL_CHAIN],
    ] as const) {
      const plugin = o[framework];
      const provider = await loadDevnetProvider(plugin.folder);
      if (!provider?.operator) throw new Error(`${plugin.folder} contributes no devnet with an operator: it cannot configure delivery`);
      await provider.prepare?.(o.progress);
      const devnet = provider.devnets[provider.local]!();
      const availability = await devnet.available();
      if (!availability.ok) throw new Error(`the ${framework} devnet ${provider.local} is unavailable: ${availability.reason}`);
      const t = Date.now();
      o.progress(`starting the ${framework} devnet (${provider.local})…`);
      const started = await devnet.start();
      add(() => started.stop());
      o.progress(`${framework} devnet up in ${since(t)}: ${started.node}`);
      const network = { ...started.network, name } as NetworkConfig;
      const loaded = await host.load(plugin.folder, { certificate: plugin.certificate });
      const reader = await loaded.factory.connect(network, { logger: quiet, dataDir: join(o.dataDir, `reader-${name}`) });
      add(() => reader.close());
      chains[framework] = { name, framework, reader, network };
      operators[framework] = provider.operator(network);
    }

    // Three nodes' keys first: each chain pins their attester keys before any node starts.
    const nodes: Array<{ name: string; dataDir: string; restPort: number; attester: string; requestKey: string }> = [];
    for (let i = 1; i <= 3; i++) {
      const dataDir = join(o.dataDir, `node-${i}`);
      const keys = await NodeKeys.open(join(dataDir, 'node-key.json'), PASSPHRASE, { scryptN: 1024, nodeName: `node-${i}` });
      nodes.push({
        name: `node-${i}`,
        dataDir,
        restPort: await freePort(),
        attester: toHex(keys.attesterKey().publicKey),
        requestKey: keys.responseSigner.key.publicKey,
      });
    }
    const attesters: Attester[] = nodes.map((n) => ({ algorithm: 'secp256k1', publicKey: n.attester }));
    const roots = [];
    for (const framework of ['fabric', 'ethereum'] as const) {
      const { reader, name } = chains[framework];
      roots.push(await reader.interchain!.trustRoots!(attesters, 2));
      const t = Date.now();
      await reader.interchain!.configureDelivery!({ publicKeys: nodes.map((n) => n.attester), threshold: 2 }, operators[framework]);
      o.progress(`${name}: delivery configured by the chain's operator — attesters node-1, node-2, node-3, threshold 2 (${since(t)})`);
    }

    const userKey = generatePrivateKey('secp256r1');
    const user = { code: 'demo', algorithm: 'secp256r1' as const, publicKey: toHex(publicKeyOf('secp256r1', userKey)) };
    const started: CityNode[] = [];
    for (const [i, me] of nodes.entries()) {
      const t = Date.now();
      const config = resolveNodeConfig(
        {
          node: { name: me.name, dataDir: me.dataDir },
          listen: { host: '127.0.0.1', restPort: me.restPort, grpc: false },
          keys: { scryptN: 1024 },
          trust: o.trust,
          // Plugins in the nodes' own process: three nodes with a plugin process per chain is more than a laptop needs for a demo.
          isolation: { enabled: false },
          plugins: (['fabric', 'ethereum'] as const).map((framework) => {
            const { framework: _f, name, ...endpoint } = chains[framework].network;
            return { source: o[framework].folder, certificate: o[framework].certificate, networks: [{ name, endpoint }] };
          }),
          portals: [{ code: 'demo', users: [{ code: user.code, algorithm: user.algorithm, publicKey: user.publicKey, role: 'admin' }] }],
          interchain: {
            chains: roots,
            peers: nodes
              .filter((n) => n !== me)
              .map((n) => ({
                name: n.name,
                url: `http://127.0.0.1:${n.restPort}`,
                requestKey: { algorithm: 'secp256r1', publicKey: n.requestKey },
              })),
            relay: { enabled: i === 0, pollMs: 200, threshold: 2 },
          },
        },
        o.dataDir,
      );
      const node = await CityNode.start({
        config,
        passphrase: PASSPHRASE,
        logger: o.logger ?? quiet,
        ...(o.suiteVersion && { suiteVersion: o.suiteVersion }),
      });
      add(() => node.stop());
      const refused = node.plugins.filter((p) => !p.loaded || !p.certified);
      if (refused.length)
        throw new Error(`${me.name} refused ${refused.map((p) => `${p.source} (${p.message ?? p.reason ?? p.state})`).join(', ')}`);
      started.push(node);
      o.progress(`${me.name} up at ${node.restUrl} in ${since(t)} (attester ${me.attester.slice(0, 16)}…${i === 0 ? ', relays' : ''})`);
    }
    return {
      chains,
      nodes: started,
      portal: 'demo',
      client: (i = 0) => new BsnClient({ baseUrl: started[i]!.restUrl, user: user.code, algorithm: user.algorithm, privateKey: userKey }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
