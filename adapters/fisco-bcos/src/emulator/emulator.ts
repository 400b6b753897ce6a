import { GroupChain, type ChainOptions } from './group-chain.js';
import { JsonRpcHttpServer } from './http-server.js';
import { rpcMethods } from './rpc-methods.js';

export interface RunningEmulator {
  url: string;
  chain: GroupChain;
  close(): Promise<void>;
}

/** Starts an emulated FISCO BCOS 3.x node (one group) answering JSON-RPC on 127.0.0.1. */
export async function startEmulator(options: ChainOptions & { port?: number }): Promise<RunningEmulator> {
  const chain = await GroupChain.create(options);
  const server = new JsonRpcHttpServer(rpcMethods(chain));
  const { url } = await server.listen(options.port ?? 0);
  let closed: Promise<void> | undefined;
  return { url, chain, close: () => (closed ??= server.close()) };
}
