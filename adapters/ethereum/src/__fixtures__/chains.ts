// Test support: the adapter's own devnets and fresh secp256k1 signers.
import { randomBytes } from 'node:crypto';
import { privateKeySigner, type ChainAccount, type Signer } from '@bsn/contract';
import { testContext } from '@bsn/contract/testing';
import { AnvilDevnet } from '../devnets/anvil.js';
import { GethDevnet } from '../devnets/geth.js';
import type { StartedDevnet } from '@bsn/devnets';
import type { EthereumNetworkConfig } from '../config.js';
import type { EthereumAdapter } from '../adapter.js';
import factory from '../index.js';

export { AnvilDevnet, GethDevnet, type StartedDevnet };

export function newSigner(): Signer {
  return privateKeySigner('secp256k1', randomBytes(32));
}

export async function connect(devnet: StartedDevnet, overrides: Partial<EthereumNetworkConfig> = {}): Promise<EthereumAdapter> {
  return (await factory.connect({ ...devnet.network, pollingIntervalMs: 50, ...overrides }, testContext())) as EthereumAdapter;
}

/** An actor with a funded account. */
export async function actor(adapter: EthereumAdapter): Promise<{ signer: Signer; account: ChainAccount }> {
  const signer = newSigner();
  return { signer, account: await adapter.identity.provision(signer) };
}

/** Raw JSON-RPC against the devnet (mining blocks, reading what the adapter claims). */
export async function rpc<T>(devnet: StartedDevnet, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(String(devnet.network.rpcUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
