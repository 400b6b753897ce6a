// Test support: the adapter's own devnets and fresh secp256k1 signers.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { privateKeySigner, type AdapterContext, type ChainAccount, type Signer } from '@bsn/contract';
import { AnvilDevnet } from '../devnets/anvil.js';
import { GethDevnet } from '../devnets/geth.js';
import type { StartedDevnet } from '@bsn/devnets';
import type { EthereumNetworkConfig } from '../config.js';
import type { EthereumAdapter } from '../adapter.js';
import factory from '../index.js';

export { AnvilDevnet, GethDevnet, type StartedDevnet };

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export const context: AdapterContext = {
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  dataDir: tmpdir(),
};

export function newSigner(): Signer {
  return privateKeySigner('secp256k1', randomBytes(32));
}

let counter = 0;
const run = randomBytes(3).toString('hex');
export const unique = (prefix: string): string => `${prefix}-${run}-${++counter}`;

export async function connect(devnet: StartedDevnet, overrides: Partial<EthereumNetworkConfig> = {}): Promise<EthereumAdapter> {
  return (await factory.connect({ ...devnet.network, pollingIntervalMs: 50, ...overrides }, context)) as EthereumAdapter;
}

/** An actor with a funded account. */
export async function actor(adapter: EthereumAdapter): Promise<{ signer: Signer; account: ChainAccount }> {
  const signer = newSigner();
  return { signer, account: await adapter.identity.provision(signer) };
}

/** Raw JSON-RPC against the devnet (mining blocks, reading what the adapter claims). */
export async function rpc<T>(devnet: StartedDevnet, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(String(devnet.network.rpcUrl), {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
