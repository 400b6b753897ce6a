/**
 * Input an outsider can send without any credentials, down to bytes that are not HTTP: every
 * answer is a signed 4xx in the node's error format, bound to the request it answers (or to
 * the empty request when the HTTP parser read none), and never a 5xx.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_REQUEST_DIGEST, HEADERS, requestDigest, splitUrl, verifyResponse, type NodePublicKey } from '@bsn/protocol';
import { startTestNode } from '../testing/test-node.js';

let t: Awaited<ReturnType<typeof startTestNode>>;
let port: number;
let key: NodePublicKey;

beforeAll(async () => {
  t = await startTestNode();
  port = Number(new URL(t.node.restUrl).port);
  key = (await t.users['alice']!.rest.node()).key;
});
afterAll(() => t.stop());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends `bytes` on a fresh connection and reads one answer (until the node closes or its content-length arrived). */
function raw(bytes: Buffer | string, head = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no answer: ${JSON.stringify(all.toString('latin1').slice(0, 200))}`));
      const [statusLine, ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({
        status: Number(statusLine!.split(' ')[1]),
        headers,
        body: head ? Buffer.alloc(0) : all.subarray(split + 4, split + 4 + Number(headers['content-length'] ?? 0)),
      });
      socket.destroy();
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(all.subarray(0, Math.max(split, 0)).toString('latin1'))?.[1];
      if (split >= 0 && (head || (length !== undefined && all.length >= split + 4 + Number(length)))) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.write(bytes);
  });
}

/** The answer is a signed 4xx in the error format, for `digest`. */
function expectSignedRefusal(a: RawAnswer, digest: string, reason?: string) {
  expect(a.status, a.body.toString()).toBeGreaterThanOrEqual(400);
  expect(a.status).toBeLessThan(500);
  const body = JSON.parse(a.body.toString('utf8')) as { error: { code: string; reason: string; message: string } };
  expect(body.error.code).toMatch(/^[A-Z_]+$/);
  expect(body.error.reason).toMatch(/^[a-z-]+$/);
  if (reason) expect(body.error.reason).toBe(reason);
  expect(verifyResponse(key, a.status, a.body, digest, a.headers[HEADERS.nodeSignature]), 'signed by the node for this request').toBe(true);
}

/** The digest of a request as the node received it (no credentials). */
function digestOf(method: string, url: string, headers: Record<string, string> = {}, body = Buffer.alloc(0)): string {
  const { path, query } = splitUrl(url);
  return requestDigest(
    {
      method,
      path,
      query,
      body,
      user: headers[HEADERS.user] ?? '',
      app: headers[HEADERS.app] ?? '',
      timestamp: headers[HEADERS.timestamp] ?? '',
      nonce: headers[HEADERS.nonce] ?? '',
    },
    headers[HEADERS.signature] ?? '',
  );
}

const request = (method: string, url: string, headers: Record<string, string> = {}) =>
  `${method} ${url} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

describe('bytes the HTTP parser refuses are answered by the node, signed for the empty request', () => {
  const cases: Array<[string, string | Buffer]> = [
    ['a control character in a header', `GET /v1/node HTTP/1.1\r\nhost: x\r\nx-evil: a\u0001b\r\n\r\n`],
    ['a NUL in a header', Buffer.from('GET /v1/node HTTP/1.1\r\nhost: x\r\nx-evil: a\u0000b\r\n\r\n', 'latin1')],
    ['a bare CR in a header', `GET /v1/node HTTP/1.1\r\nhost: x\r\nx-evil: a\rb\r\n\r\n`],
    ['garbage instead of a request line', 'NOT HTTP AT ALL\r\n\r\n'],
  ];
  for (const [what, bytes] of cases) {
    it(what, async () => expectSignedRefusal(await raw(bytes), EMPTY_REQUEST_DIGEST, 'malformed-request'));
  }

  it('headers over the node limit are a signed 431', async () => {
    const a = await raw(request('GET', '/v1/node', { 'x-big': 'a'.repeat(70 * 1024) }));
    expect(a.status).toBe(431);
    expectSignedRefusal(a, EMPTY_REQUEST_DIGEST, 'request-too-large');
  });
});

describe('requests the node reads but refuses', () => {
  it('a URL that does not decode (%FF%FE) is a signed 400', async () => {
    const url = '/v1/apps/%FF%FE/kv/x';
    expectSignedRefusal(await raw(request('GET', url)), digestOf('GET', url), 'malformed-request');
  });

  it('raw UTF-8 bytes in the path are refused, signed, not a 5xx', async () => {
    const a = await raw(
      Buffer.concat([Buffer.from('GET /v1/apps/'), Buffer.from('çà', 'utf8'), Buffer.from(' HTTP/1.1\r\nhost: x\r\n\r\n')]),
    );
    expect(a.status).toBeGreaterThanOrEqual(400);
    expect(a.status).toBeLessThan(500);
    expect(a.headers[HEADERS.nodeSignature]).toMatch(/^[0-9a-f]{128}$/);
  });

  it('a timestamp beyond what a Date holds is malformed credentials (401), not a 500', async () => {
    const headers = {
      [HEADERS.user]: 'alice',
      [HEADERS.timestamp]: '9999999999999999',
      [HEADERS.nonce]: 'n'.repeat(20),
      [HEADERS.signature]: 'ab'.repeat(64),
    };
    const a = await raw(request('GET', '/v1/users/me', headers));
    expect(a.status).toBe(401);
    expectSignedRefusal(a, digestOf('GET', '/v1/users/me', headers), 'malformed-credentials');
  });

  it('a key of several kilobytes reaches the gateway (no 431 for long keys)', async () => {
    const url = `/v1/apps/app/kv/${'%C3%A7'.repeat(1000)}`;
    const a = await raw(request('GET', url));
    expect(a.status).toBe(401);
    expectSignedRefusal(a, digestOf('GET', url), 'missing-credentials');
  });

  it('an undeclared method on a known path is 405 with Allow', async () => {
    const a = await raw(request('PATCH', '/v1/apps'));
    expect(a.status).toBe(405);
    expect(a.headers['allow']).toBe('GET, HEAD, POST');
    expectSignedRefusal(a, digestOf('PATCH', '/v1/apps'), 'method-not-allowed');
  });

  it('an unknown route is a signed 404', async () => {
    expectSignedRefusal(await raw(request('GET', '/zzz-no-such-route')), digestOf('GET', '/zzz-no-such-route'), 'not-found');
  });

  it('HEAD answers are signed over the empty body actually sent', async () => {
    const a = await raw(request('HEAD', '/v1/node'), true);
    expect(a.status).toBe(200);
    expect(verifyResponse(key, 200, Buffer.alloc(0), digestOf('HEAD', '/v1/node'), a.headers[HEADERS.nodeSignature])).toBe(true);
  });
});

describe('fields parsed strictly', () => {
  it('an empty x-bsn-request-id is refused, not replaced by a derived one', async () => {
    const alice = t.users['alice']!.rest;
    await alice.createApp({ code: 'strict', framework: 'memory' });
    const r = await alice.raw('PUT', '/v1/apps/strict/kv/k', { app: 'strict', body: 'v', headers: { [HEADERS.requestId]: '' } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).error).toMatchObject({ reason: 'invalid-field', field: '/requestId' });
    expect(r.verified).toBe(true);
  });

  it('limit must be decimal digits: 0x10, 1e1 and " 16" are refused', async () => {
    const alice = t.users['alice']!.rest;
    for (const limit of ['0x10', '1e1', '%2016']) {
      const r = await alice.raw('GET', `/v1/apps/strict/kv?limit=${limit}`, { app: 'strict' });
      expect(r.status, limit).toBe(400);
      expect(JSON.parse(r.body.toString()).error).toMatchObject({ reason: 'invalid-field', field: 'limit' });
    }
    expect((await alice.raw('GET', '/v1/apps/strict/kv?limit=16', { app: 'strict' })).status).toBe(200);
  });
});
