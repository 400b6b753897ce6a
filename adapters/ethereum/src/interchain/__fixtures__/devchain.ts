import { JsonRpcProvider, Wallet, type TransactionRequest } from 'ethers';
import type { Devnet, StartedDevnet } from '@bsn/contract';
import { AnvilDevnet, GethDevnet } from '../../devnets/index.js';

/** A started dev chain for interchain tests, with a raw JSON-RPC helper and a funded wallet. */
export interface DevChain {
  name: 'anvil' | 'geth';
  started: StartedDevnet;
  rpcUrl: string;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  faucet: Wallet;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

export const DEVNETS: Array<[DevChain['name'], () => Devnet]> = [
  ['anvil', () => new AnvilDevnet()],
  ['geth', () => new GethDevnet()],
];

/** Starts the devnet, or returns the reason it cannot run here. */
export async function startChain(name: DevChain['name'], make: () => Devnet): Promise<DevChain | string> {
  const devnet = make();
  const availability = await devnet.available();
  if (!availability.ok) return availability.reason;
  const started = await devnet.start();
  const rpcUrl = String(started.network.rpcUrl);
  let id = 1;
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  const provider = new JsonRpcProvider(rpcUrl, Number(started.network.chainId), {
    staticNetwork: true,
    polling: true,
    pollingInterval: 50,
  });
  const faucet = new Wallet((started.network.faucet as { privateKey: string }).privateKey, provider);
  return {
    name,
    started,
    rpcUrl,
    rpc,
    faucet,
    provider,
    async stop() {
      provider.destroy();
      await started.stop();
    },
  };
}

/** Sends from the faucet with an explicit nonce and waits for the receipt; never throws on revert. */
export async function sendRaw(chain: DevChain, tx: TransactionRequest): Promise<string> {
  // straight from the node: ethers' provider caches identical requests for a moment
  const nonce = Number(BigInt(await chain.rpc<string>('eth_getTransactionCount', [chain.faucet.address, 'pending'])));
  const sent = await chain.faucet.sendTransaction({ ...tx, nonce });
  for (;;) {
    // geth refuses receipt look-ups while it builds its transaction index right after start-up: not mined yet, as far as we can tell.
    const r = await chain.rpc<{ blockHash?: string } | null>('eth_getTransactionReceipt', [sent.hash]).catch((e: unknown) => {
      if (/transaction indexing is in progress/.test(String(e))) return null;
      throw e;
    });
    if (r?.blockHash) return sent.hash;
    await new Promise((res) => setTimeout(res, 50));
  }
}
