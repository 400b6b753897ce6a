/**
 * A party on the path between a client and its node, with no credentials of its own, holds
 * genuine node-signed answers — to requests it altered, to earlier requests, to other
 * subscriptions. Every answer is bound to the exact request it answers, so the clients (REST,
 * gRPC, event streams) refuse each such answer instead of believing it.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { BsnClient, BsnGrpcClient, NodeResponseError } from '@bsn/client';
import { HEADERS, gatewayService } from '@bsn/protocol';
import { startTestNode } from './testing/test-node.js';

interface Exchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Forwards HTTP to the node; `tamper` decides what goes there and what comes back. */
class RestProxy {
  server: Server;
  tamper: (exchange: Exchange, forward: (e: Exchange) => Promise<Answer>) => Promise<Answer> = (e, forward) => forward(e);
  /** A chunk to put in front of the next event stream (for splicing). */
  splice?: string;
  captured: string[] = [];

  constructor(private readonly target: URL) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const exchange = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
        if (exchange.url.includes('/events')) return this.stream(exchange, res);
        const answer = await this.tamper(exchange, (e) => this.forward(e));
        res.writeHead(answer.status, answer.headers).end(answer.body);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  forward(e: Exchange): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        new URL(e.url, this.target),
        { method: e.method, headers: { ...e.headers, host: this.target.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end(e.body);
    });
  }

  /** Event streams pass through chunk by chunk; each event chunk is recorded, and a spliced one goes first. */
  private stream(e: Exchange, res: import('node:http').ServerResponse): void {
    const req = httpRequest(new URL(e.url, this.target), { method: e.method, headers: { ...e.headers, host: this.target.host } }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      if (this.splice) res.write(this.splice);
      up.on('data', (c: Buffer) => {
        const text = c.toString('utf8');
        if (text.includes('data: ')) this.captured.push(text);
        res.write(c);
      });
      up.on('end', () => res.end());
      res.on('close', () => up.destroy());
    });
    req.end(e.body);
  }
}

const refusedAsUnsigned = (error: unknown) => {
  expect(error, 'the client must refuse the answer').toBeInstanceOf(NodeResponseError);
  expect((error as NodeResponseError).reason).toBe('bad-node-signature');
  expect((error as NodeResponseError).verified).toBe(false);
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the client accepted an answer that was not for its request');
    },
    (e: unknown) => e,
  );

let t: Awaited<ReturnType<typeof startTestNode>>;
let proxy: RestProxy;
let client: BsnClient;
const app = 'onpath';

beforeAll(async () => {
  t = await startTestNode();
  proxy = new RestProxy(new URL(t.node.restUrl));
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
  const alice = t.users['alice']!;
  const nodeKey = (await alice.rest.node()).key;
  client = new BsnClient({ baseUrl: proxy.url, user: 'alice', algorithm: alice.algorithm, privateKey: alice.privateKey, nodeKey });
  await alice.rest.createApp({ code: app, framework: 'memory' });
  await alice.rest.put(app, 'greeting', 'hello');
  await alice.rest.put(app, 'other', 'bye');
});

afterAll(async () => {
  client.close();
  proxy.server.closeAllConnections();
  await new Promise((r) => proxy.server.close(r));
  await t.stop();
});

describe('REST answers are bound to their request', () => {
  it('an honest path: the client gets its value, verified', async () => {
    proxy.tamper = (e, forward) => forward(e);
    expect((await client.get(app, 'greeting'))?.text).toBe('hello');
  });

  it('the node signs, and the client refuses, an answer to a swapped request (another route)', async () => {
    let nodeAnswer: Answer | undefined;
    proxy.tamper = async (e, forward) => (nodeAnswer = await forward({ ...e, url: '/zzz-no-such-route' }));
    refusedAsUnsigned(await failure(client.get(app, 'greeting')));
    expect(nodeAnswer!.status).toBe(404);
    expect(nodeAnswer!.headers[HEADERS.nodeSignature], 'the node did sign its 404').toMatch(/^[0-9a-f]{128}$/);
  });

  it('a resend with a flipped signature gets a signed 401 the client refuses, and the original then commits once', async () => {
    let refusal: Answer | undefined;
    let original: Exchange | undefined;
    proxy.tamper = async (e, forward) => {
      original = e;
      const signature = String(e.headers[HEADERS.signature]);
      const flipped = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      refusal = await forward({ ...e, headers: { ...e.headers, [HEADERS.signature]: flipped } });
      return refusal;
    };
    refusedAsUnsigned(await failure(client.put(app, 'flip', 'value', 'req-flip')));
    expect(JSON.parse(refusal!.body.toString()).error.reason).toBe('bad-signature');
    // The forged request did not use the nonce up: the proxy can still deliver the original.
    proxy.tamper = (e, forward) => forward(e);
    const delivered = await proxy.forward(original!);
    expect(delivered.status).toBe(200);
    expect((await t.users['alice']!.rest.get(app, 'flip'))?.text).toBe('value');
  });

  it('an answer the node gave to an earlier request is refused', async () => {
    const { answer: earlier } = await exchangeOf(() => client.get(app, 'other'));
    expect(earlier.status).toBe(200);
    proxy.tamper = async () => earlier;
    refusedAsUnsigned(await failure(client.get(app, 'greeting')));
  });

  it('two answers swapped between two requests in flight are both refused', async () => {
    const waiting: Array<{ e: Exchange; answer: (a: Answer) => void }> = [];
    proxy.tamper = (e, forward) =>
      new Promise<Answer>((resolve) => {
        waiting.push({ e, answer: resolve });
        if (waiting.length === 2) {
          void Promise.all(waiting.map((w) => forward(w.e))).then(([a, b]) => {
            waiting[0]!.answer(b!);
            waiting[1]!.answer(a!);
          });
        }
      });
    const [first, second] = await Promise.all([failure(client.get(app, 'greeting')), failure(client.get(app, 'other'))]);
    refusedAsUnsigned(first);
    refusedAsUnsigned(second);
  });
});

describe('event streams are bound to their subscription', () => {
  it('a stream opened for an altered subscription is refused', async () => {
    proxy.tamper = (e, forward) => forward(e);
    const original = proxy['stream'].bind(proxy);
    proxy['stream'] = (e: Exchange, res: import('node:http').ServerResponse) =>
      original({ ...e, url: `${e.url}${e.url.includes('?') ? '&' : '?'}name=kv.delete` }, res);
    try {
      refusedAsUnsigned(await failure(first(client.events(app))));
    } finally {
      proxy['stream'] = original;
    }
  });

  it('an event spliced in from another subscription is refused; the honest stream verifies', async () => {
    proxy.splice = undefined;
    const honest = await first(client.events(app));
    expect(honest.verified).toBe(true);
    const genuine = proxy.captured.find((c) => c.includes('"signature"'));
    expect(genuine, 'a node-signed event of another subscription').toBeDefined();
    proxy.splice = genuine!.slice(genuine!.indexOf('id: '));
    try {
      refusedAsUnsigned(await failure(first(client.events(app))));
    } finally {
      proxy.splice = undefined;
    }
  });
});

describe('gRPC answers are bound to their call', () => {
  let server: grpc.Server;
  let grpcClient: BsnGrpcClient;
  /** What the proxy does with each unary call: the method it forwards to, the metadata, or a canned answer. */
  let tamper: (name: string, md: grpc.Metadata) => { name?: string; md?: grpc.Metadata; canned?: Canned } = () => ({});
  interface Canned {
    error: grpc.ServiceError | null;
    response?: Buffer;
    trailers: grpc.Metadata;
  }
  const calls: Canned[] = [];

  beforeAll(async () => {
    const upstream = new grpc.Client(t.node.grpcAddress, grpc.credentials.createInsecure());
    const raw = (b: Buffer) => b;
    const definition = gatewayService();
    const forward = (name: string, request: Buffer, md: grpc.Metadata) =>
      new Promise<Canned>((resolve) => {
        let outcome: { error: grpc.ServiceError | null; response?: Buffer } = { error: null };
        const call = upstream.makeUnaryRequest(
          `/${definition[name]!.path.split('/')[1]}/${name}`,
          raw,
          raw,
          request,
          md,
          (error, response) => {
            outcome = { error, ...(response && { response }) };
          },
        );
        call.on('status', (status) => setImmediate(() => resolve({ ...outcome, trailers: status.metadata })));
      });
    const handlers: grpc.UntypedServiceImplementation = {};
    const passthrough: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    for (const [name, method] of Object.entries(definition)) {
      passthrough[name] = { ...method, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw };
      if (method.responseStream) continue;
      handlers[name] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const plan = tamper(name, call.metadata);
        void (plan.canned ? Promise.resolve(plan.canned) : forward(plan.name ?? name, call.request, plan.md ?? call.metadata)).then((a) => {
          calls.push(a);
          if (a.error) callback({ ...a.error, metadata: a.error.metadata });
          else callback(null, a.response, a.trailers);
        });
      };
    }
    server = new grpc.Server();
    server.addService(passthrough as grpc.ServiceDefinition, handlers);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const alice = t.users['alice']!;
    const nodeKey = (await alice.rest.node()).key;
    grpcClient = new BsnGrpcClient({
      address: `127.0.0.1:${port}`,
      user: 'alice',
      algorithm: alice.algorithm,
      privateKey: alice.privateKey,
      nodeKey,
    });
  });

  afterAll(() => {
    grpcClient.close();
    server.forceShutdown();
  });

  const refused = (error: unknown) => {
    expect(isBsnError(error), String(error)).toBe(true);
    expect((error as NodeResponseError).verified).toBe(false);
  };

  it('an honest path verifies', async () => {
    tamper = () => ({});
    expect(Buffer.from((await grpcClient.get(app, 'greeting'))['value'] as Buffer).toString()).toBe('hello');
  });

  it('an answer from another method (a swapped request) is refused', async () => {
    tamper = (name) => (name === 'KvGet' ? { name: 'KvHistory' } : {});
    refused(await failure(grpcClient.get(app, 'greeting')));
  });

  it('a resend with a flipped signature gets a signed refusal the client refuses', async () => {
    tamper = (_name, md) => {
      const copy = md.clone();
      const signature = String(md.get(HEADERS.signature)[0]);
      copy.set(
        HEADERS.signature,
        signature.replace(/^./, (c) => (c === '0' ? '1' : '0')),
      );
      return { md: copy };
    };
    refused(await failure(grpcClient.put(app, 'grpc-flip', 'v', 'grpc-req-flip')));
    expect(
      calls.at(-1)!.trailers.get(HEADERS.nodeSignature)[0] ?? calls.at(-1)!.error?.metadata.get(HEADERS.nodeSignature)[0],
    ).toBeDefined();
  });

  it('an answer the node gave to an earlier call is refused', async () => {
    tamper = () => ({});
    await grpcClient.get(app, 'other');
    const earlier = calls.at(-1)!;
    tamper = () => ({ canned: earlier });
    refused(await failure(grpcClient.get(app, 'greeting')));
  });
});

/** The exchange a client call makes and the node's answer to it, captured at the proxy. */
async function exchangeOf(call: () => Promise<unknown>): Promise<{ exchange: Exchange; answer: Answer }> {
  let seen: { exchange: Exchange; answer: Answer } | undefined;
  proxy.tamper = async (e, forward) => {
    const answer = await forward(e);
    seen = { exchange: e, answer };
    return answer;
  };
  await call();
  return seen!;
}

async function first<T>(stream: AsyncGenerator<T>): Promise<T> {
  for await (const item of stream) {
    await stream.return(undefined);
    return item;
  }
  throw new Error('the stream ended without an event');
}
