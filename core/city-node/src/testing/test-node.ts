/** Test support: a city node on an in-memory chain, with users of two portals and their clients. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyAlgorithm } from '@bsn/contract';
import { generatePrivateKey, publicKeyOf, toHex } from '@bsn/contract';
import { BsnClient, BsnGrpcClient } from '@bsn/client';
import { CityNode } from '../city-node.js';
import { resolveNodeConfig } from '../config.js';
import type { ConnectedNetwork } from '../networks.js';
import { MemoryChain, memoryAdapter } from './memory-adapter.js';

export interface TestUser {
  code: string;
  algorithm: KeyAlgorithm;
  privateKey: Uint8Array;
  publicKey: string;
  rest: BsnClient;
  grpc: BsnGrpcClient;
}

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function newKey(algorithm: KeyAlgorithm): { privateKey: Uint8Array; publicKey: string } {
  const privateKey = generatePrivateKey(algorithm);
  return { privateKey, publicKey: toHex(publicKeyOf(algorithm, privateKey)) };
}

export function memoryNetwork(name = 'mem', chain = new MemoryChain()): ConnectedNetwork {
  const adapter = memoryAdapter(chain, 'memory');
  return {
    name,
    framework: 'memory',
    plugin: '@bsn/memory@0.0.0',
    certified: true,
    adapter,
    description: adapter.describe(),
    accountAlgorithm: 'secp256k1',
    origin: { kind: 'endpoint' },
  };
}

export async function startTestNode(
  options: {
    dataDir?: string;
    chain?: MemoryChain;
    config?: Record<string, unknown>;
    users?: Array<[string, string, KeyAlgorithm, 'hosted' | 'user', 'operator' | 'admin' | 'member']>;
    /** Jurisdiction policies of the seeded portals, by portal code. */
    policies?: Record<string, { frameworks?: string[]; networks?: string[] }>;
  } = {},
) {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'bsn-node-')));
  const chain = options.chain ?? new MemoryChain();
  const specs = options.users ?? [
    ['alice', 'p1', 'secp256r1', 'hosted', 'admin'],
    ['bob', 'p1', 'sm2', 'hosted', 'member'],
    ['carol', 'p1', 'secp256k1', 'user', 'member'],
    ['mallory', 'p2', 'secp256k1', 'hosted', 'member'],
  ];
  const keys = new Map(specs.map(([code, , alg]) => [code, newKey(alg)]));
  const portals = [...new Set(['p1', 'p2', ...specs.map((s) => s[1])])].map((p) => ({
    code: p,
    ...(options.policies?.[p] && { policy: options.policies[p] }),
    users: specs
      .filter((s) => s[1] === p)
      .map(([code, , algorithm, keyMode, role]) => ({ code, algorithm, publicKey: keys.get(code)!.publicKey, keyMode, role })),
  }));
  const config = resolveNodeConfig(
    {
      node: { name: 'test-node', dataDir },
      listen: { restPort: 0, grpcPort: 0 },
      keys: { scryptN: 1024 },
      limits: { bodyBytes: 65536 },
      portals,
      ...options.config,
    },
    dataDir,
  );
  const node = await CityNode.start({
    config,
    passphrase: 'test passphrase',
    logger: silentLogger,
    networks: [memoryNetwork('mem', chain)],
  });
  const users: Record<string, TestUser> = {};
  for (const [code, , algorithm] of specs) {
    const { privateKey, publicKey } = keys.get(code)!;
    users[code] = {
      code,
      algorithm,
      privateKey,
      publicKey,
      rest: new BsnClient({ baseUrl: node.restUrl, user: code, algorithm, privateKey }),
      grpc: new BsnGrpcClient({ address: node.grpcAddress, user: code, algorithm, privateKey }),
    };
  }
  return {
    node,
    chain,
    users,
    dataDir,
    config,
    async stop() {
      for (const u of Object.values(users)) u.grpc.close();
      await node.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
