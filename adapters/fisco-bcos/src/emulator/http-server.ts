import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RpcCode, RpcError } from './rpc-error.js';

type Method = (params: unknown[]) => unknown | Promise<unknown>;

/** Larger than any transaction the txpool takes; a body beyond it is refused unread. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * JSON-RPC 2.0 over HTTP POST, as a 3.x node's `[rpc]` port serves it with SSL off (bcos-rpc
 * JsonRpcInterface::onRPCRequest): `jsonrpc`, `method` and an array `params` are required; the
 * answer echoes `jsonrpc` and `id` and carries `result` or `error {code, message}`.
 */
export class JsonRpcHttpServer {
  private readonly server: Server;

  constructor(private readonly methods: Record<string, Method>) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  listen(port: number, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address() as AddressInfo;
        resolve({ url: `http://${host}:${address.port}`, port: address.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      res.writeHead(413).end();
      return;
    }
    let id: unknown = null;
    let jsonrpc = '2.0';
    let answer: Record<string, unknown>;
    try {
      const request = parse(body);
      id = request.id;
      jsonrpc = request.jsonrpc;
      const method = Object.hasOwn(this.methods, request.method) ? this.methods[request.method] : undefined;
      if (!method) throw new RpcError(RpcCode.MethodNotFound, 'The method does not exist/is not available.');
      answer = { result: await method(request.params) };
    } catch (error) {
      const e = error instanceof RpcError ? error : new RpcError(RpcCode.InternalError, (error as Error)?.message ?? String(error));
      answer = { error: { code: e.code, message: e.message } };
    }
    const text = JSON.stringify({ id, jsonrpc, ...answer });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }
}

function parse(body: string): { jsonrpc: string; method: string; params: unknown[]; id: unknown } {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    throw new RpcError(RpcCode.InvalidRequest, 'invalid request json object');
  }
  const r = root as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new RpcError(RpcCode.InvalidRequest, 'invalid request json object');
  if (typeof r['jsonrpc'] !== 'string') throw new RpcError(RpcCode.InvalidRequest, 'request has no jsonrpc field');
  if (typeof r['method'] !== 'string') throw new RpcError(RpcCode.InvalidRequest, 'request has no method field');
  if (!Array.isArray(r['params'])) throw new RpcError(RpcCode.InvalidRequest, 'request has no params field');
  return { jsonrpc: r['jsonrpc'], method: r['method'], params: r['params'], id: r['id'] ?? null };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
