/**
 * The served OpenAPI document drives a spec-driven fuzzer (schemathesis, from PyPI) against a
 * live node, once unsigned and once through a proxy that signs every request as a registered
 * user. Schemathesis checks no 5xx and that every answer matches the document; the proxy
 * checks that every answer is signed by the node for the request it answers.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestSigner } from '@bsn/client';
import { HEADERS, requestDigest, splitUrl, verifyResponse, type NodePublicKey } from '@bsn/protocol';
import { startTestNode } from '../testing/test-node.js';
import { openApiDocument } from './openapi.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const st = join(root, '.cache', 'py', 'schemathesis', 'bin', 'st');
const skip = existsSync(st) ? undefined : `schemathesis is not installed (${st}; the test bootstrap installs it from PyPI)`;
if (skip) console.warn(`skipping the gateway fuzz run: ${skip}`);

const APP = 'fuzz';
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
];

/** Forwards to the node (signing each request as `signer` when given) and checks every answer's node signature. */
class VerifyingProxy {
  readonly server: Server;
  unsigned: string[] = [];
  seen = new Map<string, number>();

  constructor(
    private readonly target: URL,
    private readonly key: NodePublicKey,
    private readonly signer?: RequestSigner,
  ) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.handle(req.method!, req.url!, req.headers, Buffer.concat(chunks), res));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(method: string, url: string, incoming: IncomingHttpHeaders, body: Buffer, res: import('node:http').ServerResponse) {
    let target = url;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(incoming)) if (typeof v === 'string' && k !== 'host') headers[k] = v;
    if (this.signer) {
      // Every app the fuzzer names is the one app the signing user owns, so the kv operations run for real.
      target = url.replace(/^\/v1\/apps\/[^/?]+/, `/v1/apps/${APP}`);
      const { path, query } = splitUrl(target);
      const signed = this.signer.signRequest({ method, path, query, body, app: target.startsWith('/v1/apps/') ? APP : '' });
      Object.assign(headers, signed.headers);
    }
    const route = `${method} ${splitUrl(url)
      .path.replace(/^\/v1\/apps\/[^/]+/, '/v1/apps/{app}')
      .replace(/\/(kv|history)\/.+$/, '/$1/{key}')}`;
    this.seen.set(route, (this.seen.get(route) ?? 0) + 1);
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const up = httpRequest(new URL(target, this.target), { method, headers }, (r) => {
        const out: Buffer[] = [];
        r.on('data', (c: Buffer) => out.push(c));
        r.on('end', () => resolve({ status: r.statusCode!, headers: r.headers, body: Buffer.concat(out) }));
      });
      up.on('error', reject);
      up.end(body);
    }).catch((e: Error) => ({ status: 599, headers: {} as IncomingHttpHeaders, body: Buffer.from(e.message) }));
    const { path, query } = splitUrl(target);
    const digest = requestDigest(
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
    const signedBody = method === 'HEAD' ? Buffer.alloc(0) : answer.body;
    if (!verifyResponse(this.key, answer.status, signedBody, digest, answer.headers[HEADERS.nodeSignature] as string | undefined)) {
      this.unsigned.push(`${method} ${url} → ${answer.status}`);
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }
}

let t: Awaited<ReturnType<typeof startTestNode>>;
let key: NodePublicKey;

beforeAll(async () => {
  t = await startTestNode();
  key = (await t.users['alice']!.rest.node()).key;
  await t.users['alice']!.rest.createApp({ code: APP, framework: 'memory' });
});
afterAll(() => t.stop());

async function fuzz(proxy: VerifyingProxy, seed: number): Promise<{ code: number | null; output: string }> {
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
  const reports = mkdtempSync(join(tmpdir(), 'bsn-fuzz-'));
  const args = [
    'run',
    `${proxy.url}/openapi.json`,
    '--url',
    proxy.url,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    '12',
    '--seed',
    String(seed),
    '--workers',
    '1',
    '--exclude-path',
    '/v1/apps/{app}/events',
    // A stream too: it never ends, so it is a network error to the fuzzer.
    '--exclude-path',
    '/v1/apps/{app}/interchain/events',
    '--report-dir',
    reports,
    '--no-color',
  ];
  try {
    return await new Promise((resolve) => {
      const child = spawn(st, args, { cwd: reports, env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d));
      child.stderr.on('data', (d: Buffer) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    });
  } finally {
    proxy.server.closeAllConnections();
    await new Promise((r) => proxy.server.close(r));
  }
}

describe('the served OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, with the key as a declared path parameter', async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument());
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).toEqual([]);
    expect(result.valid).toBe(true);
    const paths = openApiDocument()['paths'] as Record<string, Record<string, { parameters: Array<{ name: string; in: string }> }>>;
    for (const [path, ops] of [
      ['/v1/apps/{app}/kv/{key}', ['put', 'get', 'delete']],
      ['/v1/apps/{app}/history/{key}', ['get']],
    ] as const) {
      for (const op of ops)
        expect(
          paths[path]![op]!.parameters.some((p) => p.name === 'key' && p.in === 'path'),
          `${op} ${path}`,
        ).toBe(true);
    }
  });
});

describe.skipIf(skip)('schemathesis against a live node', () => {
  it('unsigned: no 5xx, answers match the document, every answer signed for its request', async () => {
    const proxy = new VerifyingProxy(new URL(t.node.restUrl), key);
    const { code, output } = await fuzz(proxy, 1);
    expect(code, output.slice(-6000)).toBe(0);
    expect(proxy.unsigned, 'answers not signed for their request').toEqual([]);
    expect(proxy.seen.size).toBeGreaterThan(15);
  }, 600_000);

  it('signed as a registered user: the same, and the kv and history operations run', async () => {
    const alice = t.users['alice']!;
    const proxy = new VerifyingProxy(new URL(t.node.restUrl), key, new RequestSigner('alice', alice.algorithm, alice.privateKey));
    const { code, output } = await fuzz(proxy, 2);
    expect(code, output.slice(-6000)).toBe(0);
    expect(proxy.unsigned, 'answers not signed for their request').toEqual([]);
    for (const route of [
      'PUT /v1/apps/{app}/kv/{key}',
      'GET /v1/apps/{app}/kv/{key}',
      'DELETE /v1/apps/{app}/kv/{key}',
      'GET /v1/apps/{app}/history/{key}',
    ]) {
      expect(proxy.seen.get(route) ?? 0, route).toBeGreaterThan(0);
    }
  }, 600_000);
});
