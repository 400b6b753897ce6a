import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawConnection, headerOf, serializeRequest } from './raw-http.mjs';

let server: Server | undefined;
const open: RawConnection[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<URL> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

async function connect(url: URL): Promise<RawConnection> {
  const c = await RawConnection.open(url);
  open.push(c);
  return c;
}

afterEach(async () => {
  open.splice(0).forEach((c) => c.close());
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('the bench load client', () => {
  it('sends method, path, headers and body, and reads status, headers and body of each answer on one connection', async () => {
    const seen: Array<{ method?: string; url?: string; header?: string; body: string }> = [];
    const url = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, header: req.headers['x-test'] as string, body: Buffer.concat(chunks).toString() });
        res.writeHead(req.method === 'PUT' ? 201 : 200, { 'content-type': 'text/plain', 'content-length': 3, 'X-Sig': `s${seen.length}` });
        res.end(`ok${seen.length}`);
      });
    });
    const c = await connect(url);
    const put = await c.send(serializeRequest(url, 'PUT', '/a/b%20c', { 'x-test': 'one' }, Buffer.from('hello')));
    const get = await c.send(serializeRequest(url, 'GET', '/a?x=1', { 'x-test': 'two' }));
    expect(seen).toEqual([
      { method: 'PUT', url: '/a/b%20c', header: 'one', body: 'hello' },
      { method: 'GET', url: '/a?x=1', header: 'two', body: '' },
    ]);
    expect([put.status, put.body.toString(), headerOf(put.head, 'x-sig')]).toEqual([201, 'ok1', 's1']);
    expect([get.status, get.body.toString(), headerOf(get.head, 'x-sig')]).toEqual([200, 'ok2', 's2']);
    expect(headerOf(get.head, 'x-missing')).toBeUndefined();
  });

  it('reads an answer that arrives in pieces', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 6 });
      res.write('abc');
      setTimeout(() => res.end('def'), 20);
    });
    const c = await connect(url);
    expect((await c.send(serializeRequest(url, 'GET', '/', {}))).body.toString()).toBe('abcdef');
  });

  it('fails on a chunked answer, which it does not read, and on a closed connection', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/close') return req.socket.destroy();
      res.write('no length');
      res.end();
    });
    await expect((await connect(url)).send(serializeRequest(url, 'GET', '/', {}))).rejects.toThrow(/chunked/);
    const c = await connect(url);
    expect(c.closed).toBe(false);
    await expect(c.send(serializeRequest(url, 'GET', '/close', {}))).rejects.toThrow(/closed the connection/);
    expect(c.closed).toBe(true);
    await expect(c.send(serializeRequest(url, 'GET', '/', {}))).rejects.toThrow(/closed the connection/);
  });
});
