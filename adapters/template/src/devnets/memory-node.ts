/**
 * The memory devnet's node: the ledger behind one HTTP endpoint on 127.0.0.1, answering
 * `POST /` with `{ method, params }` by `{ result }` or `{ error: { code, message, field? } }`.
 * It runs in the process that starts the devnet; adapters reach it over HTTP like any node.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sealed, SignedTx } from '../node-protocol.js';
import { Ledger, LedgerError } from './ledger.js';

export const NODE_VERSION = 'memory-node/1.0.0';
/** Longest a `waitAbove` call holds a request open. */
const MAX_WAIT_MS = 10_000;
const MAX_BODY_BYTES = 1 << 20;

type Params = Record<string, unknown>;

function call(ledger: Ledger, method: string, p: Params): unknown {
  switch (method) {
    case 'info':
      return { version: NODE_VERSION, chain: ledger.chain };
    case 'head':
      return ledger.head();
    case 'submit': {
      const tx = ledger.submit(p['tx'] as SignedTx);
      return { tx, block: ledger.blockAt(tx.block) } satisfies Sealed;
    }
    case 'block':
      return ledger.blockAt(Number(p['number']));
    case 'tx': {
      const tx = ledger.tx(String(p['txId']));
      return { tx, block: ledger.blockAt(tx.block) } satisfies Sealed;
    }
    case 'app':
      return ledger.app(String(p['appId']));
    case 'history':
      return ledger.history(String(p['appId']), String(p['key']));
    case 'list':
      return ledger.list(
        String(p['appId']),
        String(p['prefix']),
        p['after'] === undefined ? undefined : String(p['after']),
        Number(p['limit']),
      );
    case 'events':
      return ledger.eventsOf(String(p['appId']), Number(p['fromBlock']));
    default:
      throw new LedgerError('INVALID_INPUT', `the node has no method ${JSON.stringify(method)}`, '/method');
  }
}

export interface RunningNode {
  url: string;
  ledger: Ledger;
  close(): Promise<void>;
}

export async function startMemoryNode(chain: string): Promise<RunningNode> {
  const ledger = new Ledger(chain);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', async () => {
      let answer: unknown;
      try {
        const { method, params } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { method: string; params?: Params };
        if (method === 'waitAbove') {
          await ledger.waitAbove(Number(params?.['number']), Math.min(Number(params?.['ms']) || 0, MAX_WAIT_MS));
          answer = { result: ledger.head() };
        } else {
          answer = { result: call(ledger, method, params ?? {}) };
        }
      } catch (error) {
        answer =
          error instanceof LedgerError
            ? { error: { code: error.code, message: error.message, ...(error.field && { field: error.field }) } }
            : { error: { code: 'INVALID_INPUT', message: `the request is not { method, params } JSON: ${(error as Error).message}` } };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ledger,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
