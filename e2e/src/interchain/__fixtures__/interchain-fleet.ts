/**
 * Test support for the interchain end-to-end tests: two anvil chains (`chain-a`, `chain-b`, chain
 * ids told apart), the certified Ethereum plugin, and three city nodes connected to both — each
 * an attester (secp256k1 key from its own keystore), pinning the other two as peers and the
 * roots of both chains with all three attesters at threshold 2; both chains pin the same three
 * for delivery. Node 1 relays (others may be asked to with `relay`). Every node loads the
 * certified plugin confined (its own process, protocol 2 carrying the interchain members).
 */
import { existsSync } from 'node:fs';
import { id } from 'ethers';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CityNode, NodeKeys, resolveNodeConfig } from '@bsn/city-node';
import { newKey } from '@bsn/city-node/testing';
import type { Adapter, Attester, TrustRoots } from '@bsn/contract';
import { ethereumAdapterFactory, localKeySigner } from '@bsn/adapter-ethereum';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import { toHex } from '@bsn/contract';
import {
  ADAPTER_DIR,
  FIXTURE_SUITES,
  certifiedPluginCopies,
  e2eSkipReason,
  startAnvil,
  type StartedAnvil,
} from '../../__fixtures__/ethereum-e2e.js';

export const PASSPHRASE = 'interchain e2e';
/** The app owner, a hosted-key user of portal p1 on every node. */
export const ALICE = newKey('secp256r1');
export const CHAINS = ['chain-a', 'chain-b'] as const;

/** Why these tests cannot run here, or undefined. */
export async function interchainSkipReason(): Promise<string | undefined> {
  const skip = await e2eSkipReason();
  if (skip) return skip;
  if (!existsSync(join(ADAPTER_DIR, 'dist', 'interchain', 'delivery.js')))
    return 'the built Ethereum adapter does not deliver packets yet (adapters/ethereum/dist/interchain/delivery.js)';
  return undefined;
}

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

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export interface FleetNode {
  name: string;
  dataDir: string;
  restPort: number;
  attester: string;
  requestKey: { algorithm: 'secp256r1'; publicKey: string };
}

export interface InterchainFleet {
  anvils: Record<(typeof CHAINS)[number], StartedAnvil & { endpoint: Record<string, unknown> }>;
  nodes: FleetNode[];
  /** The config document of node `i` (for CityNode.start in process, or `bsn node start` in a child). */
  configOf(i: number, options?: { relay?: boolean }): Record<string, unknown>;
  start(i: number, options?: { relay?: boolean }): Promise<CityNode>;
  /** An adapter of the test's own on each chain: what it reads is the chain's word, not a node's. */
  readers: Record<(typeof CHAINS)[number], Adapter>;
  pluginsDir: string;
  /** How many `event` logs for the packet the chain's outbox holds, read with eth_getLogs. */
  outboxLogs(chain: (typeof CHAINS)[number], event: keyof typeof OUTBOX_EVENTS, packetId: string): Promise<number>;
  stop(): Promise<void>;
}

/** Outbox events with the packet id as their first indexed topic. */
const OUTBOX_EVENTS = {
  PacketDelivered: id('PacketDelivered(bytes32,bytes32,uint8,bytes,bytes32)'),
  PacketTimedOut: id('PacketTimedOut(bytes32,bytes32)'),
  PacketAcknowledged: id('PacketAcknowledged(bytes32,bytes32)'),
  PacketClosed: id('PacketClosed(bytes32)'),
};

/** `blockTime`: seconds between anvil's blocks (default: a block per transaction). */
export async function startInterchainFleet(options: { blockTime?: number } = {}): Promise<InterchainFleet> {
  const plugins = await certifiedPluginCopies();
  const started: StartedAnvil[] = [];
  const readers: Adapter[] = [];
  try {
    const anvils = {} as InterchainFleet['anvils'];
    for (const [i, name] of CHAINS.entries()) {
      const anvil = options.blockTime
        ? ((await new AnvilDevnet().withBlockTime(options.blockTime).start()) as unknown as StartedAnvil)
        : await startAnvil();
      started.push(anvil);
      // Two chains, two chain ids: a transaction or proof of one is never valid on the other.
      const chainId = 31337 + i;
      if (i > 0) await rpc(anvil.network.rpcUrl, 'anvil_setChainId', [chainId]);
      const endpoint = { rpcUrl: anvil.network.rpcUrl, chainId, confirmations: 0, faucet: anvil.network.faucet, pollingIntervalMs: 50 };
      anvils[name] = { ...anvil, endpoint };
    }
    const nodes: FleetNode[] = [];
    for (let i = 1; i <= 3; i++) {
      const dataDir = join(plugins.dir, `node-${i}`);
      const keys = await NodeKeys.open(join(dataDir, 'node-key.json'), PASSPHRASE, { scryptN: 1024, nodeName: `node-${i}` });
      nodes.push({
        name: `node-${i}`,
        dataDir,
        restPort: await freePort(),
        attester: toHex(keys.attesterKey().publicKey),
        requestKey: { algorithm: 'secp256r1', publicKey: keys.responseSigner.key.publicKey },
      });
    }
    const attesters: Attester[] = nodes.map((n) => ({ algorithm: 'secp256k1', publicKey: n.attester }));
    const roots: TrustRoots[] = [];
    const byChain = {} as InterchainFleet['readers'];
    for (const name of CHAINS) {
      const adapter = await ethereumAdapterFactory.connect({ framework: 'ethereum', name, ...anvils[name].endpoint } as never, {
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        dataDir: join(plugins.dir, `reader-${name}`),
      });
      readers.push(adapter);
      byChain[name] = adapter;
      roots.push(await adapter.interchain!.trustRoots!(attesters, 2));
      // The chain's operator (the dev chain's faucet key) pins the three city nodes, t = 2.
      const operator = localKeySigner(String((anvils[name].endpoint['faucet'] as { privateKey: string }).privateKey));
      await adapter.interchain!.configureDelivery!({ publicKeys: nodes.map((n) => n.attester), threshold: 2 }, operator);
    }
    const configOf = (i: number, options: { relay?: boolean } = {}) => {
      const me = nodes[i]!;
      return {
        node: { name: me.name, dataDir: me.dataDir },
        listen: { restPort: me.restPort, grpc: false },
        keys: { scryptN: 1024 },
        // The copies' certificates are of the fixture suite (bsn node start otherwise wants the installed kit's).
        trust: { certifiers: [plugins.trustFile], suites: FIXTURE_SUITES },
        // Confined, as a city node runs certified plugins: delivery crosses the process boundary.
        isolation: { enabled: true },
        plugins: [
          {
            source: plugins.good,
            certificate: plugins.goodCert,
            networks: CHAINS.map((name) => ({ name, endpoint: anvils[name].endpoint })),
          },
        ],
        portals: [{ code: 'p1', users: [{ code: 'alice', algorithm: 'secp256r1', publicKey: ALICE.publicKey, role: 'admin' }] }],
        interchain: {
          chains: roots,
          peers: nodes
            .filter((n) => n !== me)
            .map((n) => ({ name: n.name, url: `http://127.0.0.1:${n.restPort}`, requestKey: n.requestKey })),
          relay: { enabled: options.relay ?? i === 0, pollMs: 200, threshold: 2 },
        },
      };
    };
    return {
      anvils,
      nodes,
      readers: byChain,
      pluginsDir: plugins.dir,
      configOf,
      async outboxLogs(chain, event, packetId) {
        const outbox = (roots.find((r) => r.chain === chain)!.roots as { outbox: string }).outbox;
        const logs = await rpc<unknown[]>(anvils[chain].network.rpcUrl, 'eth_getLogs', [
          { address: outbox, fromBlock: '0x0', toBlock: 'latest', topics: [OUTBOX_EVENTS[event], '0x' + packetId] },
        ]);
        return logs.length;
      },
      start: (i, options) =>
        CityNode.start({
          config: resolveNodeConfig(configOf(i, options), plugins.dir),
          passphrase: PASSPHRASE,
          logger: { debug() {}, info() {}, warn() {}, error() {} },
        }),
      async stop() {
        for (const r of readers) await r.close().catch(() => {});
        for (const a of started) await a.stop().catch(() => {});
      },
    };
  } catch (err) {
    for (const r of readers) await r.close().catch(() => {});
    for (const a of started) await a.stop().catch(() => {});
    throw err;
  }
}
