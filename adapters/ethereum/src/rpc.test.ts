import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { JsonRpcError, RpcClient } from './rpc.js';

type Request = { id: number; method: string; params: unknown[] };
let server: Server | undefined;

/** A JSON-RPC node whose answer to each POST body (one request or a batch) is `answer`'s (awaited). */
async function node(answer: (body: Request | Request[]) => unknown | Promise<unknown>): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', async () => {
      const body = JSON.parse(text) as Request | Request[];
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(await answer(body)));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, bodies };
}

const single = (r: Request) =>
  r.method === 'boom'
    ? { jsonrpc: '2.0', id: r.id, error: { code: 3, message: 'execution reverted', data: '0x1234' } }
    : { jsonrpc: '2.0', id: r.id, result: `${r.method}:${JSON.stringify(r.params)}` };

afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections(); // the client keeps connections alive
  await new Promise((resolve) => s.close(resolve));
});

test('a batch is one request; each answer settles on its own, in any order the node gives them', async () => {
  const { url, bodies } = await node((body) => (Array.isArray(body) ? body.map(single).reverse() : single(body)));
  const rpc = new RpcClient(url, 5_000);
  const [a, b, c] = rpc.batch<[string, string, string]>([{ method: 'one', params: [1] }, { method: 'boom' }, { method: 'two' }]);
  expect(await a).toBe('one:[1]');
  const error = await b.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(JsonRpcError);
  expect(error).toMatchObject({ method: 'boom', code: 3, data: '0x1234' });
  expect(await c).toBe('two:[]');
  expect(bodies).toHaveLength(1);
});

test('a node that does not answer batches (or drops one answer) is asked one request at a time', async () => {
  const { url, bodies } = await node((body) => {
    if (!Array.isArray(body)) return single(body);
    return body.length > 2
      ? { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch requests are not supported' } }
      : [single(body[0]!)];
  });
  const rpc = new RpcClient(url, 5_000);
  expect(await Promise.all(rpc.batch<[string, string, string]>([{ method: 'a' }, { method: 'b' }, { method: 'c' }]))).toEqual([
    'a:[]',
    'b:[]',
    'c:[]',
  ]);
  expect(await Promise.all(rpc.batch<[string, string]>([{ method: 'x' }, { method: 'y' }]))).toEqual(['x:[]', 'y:[]']);
  // 3 refused → 1 batch + 3 singles; 2 with one answer dropped → 1 batch + 1 single.
  expect(bodies).toHaveLength(6);
});

test('a refused batch of many is asked again a few at a time, not all at once', async () => {
  let inFlight = 0;
  let most = 0;
  const { url, bodies } = await node(async (body) => {
    if (Array.isArray(body)) return { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch requests are not supported' } };
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    return single(body);
  });
  const rpc = new RpcClient(url, 5_000);
  const methods = Array.from({ length: 40 }, (_, i) => ({ method: `m${i}` }));
  expect(await Promise.all(rpc.batch<string[]>(methods))).toEqual(methods.map((m) => `${m.method}:[]`));
  expect(bodies).toHaveLength(41);
  expect(most).toBeGreaterThan(1);
  expect(most).toBeLessThanOrEqual(8);
});

test('an unreachable node fails every request of the batch with UNAVAILABLE', async () => {
  const rpc = new RpcClient('http://127.0.0.1:9', 2_000);
  const results = await Promise.allSettled(rpc.batch<[string, string]>([{ method: 'a' }, { method: 'b' }]));
  for (const r of results) {
    expect(r.status).toBe('rejected');
    expect(isBsnError((r as PromiseRejectedResult).reason, 'UNAVAILABLE')).toBe(true);
  }
});
