import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HttpTransport } from './http-transport.js';

describe('HttpTransport', () => {
  let server: Server;
  let url: URL;
  const sockets = new Set<number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(req.socket.remotePort!);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('x-echo-method', req.method!);
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.writeHead(req.url === '/missing' ? 404 : 200).end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('sends the body, returns status, headers and body, and reuses one connection', async () => {
    const t = new HttpTransport(url);
    const body = new Uint8Array([1, 2, 3]);
    const a = await t.request('PUT', '/x?y=1', { 'content-type': 'application/octet-stream' }, body);
    const b = await t.request('GET', '/missing', {});
    expect([a.status, [...a.body], a.headers.get('x-echo-method')]).toEqual([200, [1, 2, 3], 'PUT']);
    expect(a.headers.get('set-cookie')).toBe('a=1, b=2');
    expect([b.status, b.body.length]).toEqual([404, 0]);
    expect(sockets.size).toBe(1);
    t.close();
  });

  test('a refused connection names the request and the cause', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const t = new HttpTransport(new URL(`http://127.0.0.1:${port}`));
    await expect(t.request('GET', '/v1/node', {})).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/node failed: .*ECONNREFUSED/);
    t.close();
  });

  test('only http and https', () => {
    expect(() => new HttpTransport(new URL('ftp://127.0.0.1/'))).toThrow(/http or https/);
  });
});
