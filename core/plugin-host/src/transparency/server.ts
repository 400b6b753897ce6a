/**
 * The log's HTTP face (node:http, no framework): what city nodes, certifiers and auditors
 * talk to. Reads are public; appends are accepted only for documents signed by a certifier
 * the log's config lists, so the log cannot be filled with noise by strangers.
 *
 *   GET  /sth                              the latest signed tree head
 *   GET  /sth?size=N                       the head the log signed at size N
 *   GET  /sths?start=&end=                 the heads it signed, oldest first, by position
 *   GET  /proof/inclusion?hash=H&size=N    { index, size, proof } (size: default latest)
 *   GET  /proof/consistency?first=&second= { first, second, proof }
 *   GET  /leaves?start=&end=               { start, entries } — [start, end), end clamped
 *   POST /leaves                           a certificate or revocation → inclusion evidence
 *
 * Errors are `{ error: { code, message } }` with the BSN error code's HTTP status.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError, NotFoundError, isBsnError, type ErrorCode } from '@bsn/contract';
import type { TransparencyLog } from './log.js';

export interface LogServerOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1: serving beyond this host is a deliberate choice. */
  host?: string;
  /** Largest POST body; default 256 KiB (a certificate is about 1 KiB). */
  maxBodyBytes?: number;
}

export interface RunningLogServer {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The most leaves or heads one GET returns; clients page. */
export const MAX_PAGE = 1000;

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  REJECTED_BY_CHAIN: 422,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function int(query: URLSearchParams, name: string, fallback?: number): number {
  const raw = query.get(name);
  if (raw === null) {
    if (fallback === undefined) throw new InvalidInputError(`the query needs ${name}`, { field: name });
    return fallback;
  }
  if (!/^\d{1,15}$/.test(raw)) throw new InvalidInputError(`${name} must be a whole number`, { field: name });
  return Number(raw);
}

function optionalInt(query: URLSearchParams, name: string): number | undefined {
  return query.has(name) ? int(query, name) : undefined;
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new InvalidInputError(`the body is larger than ${limit} bytes`), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InvalidInputError('the body is not JSON', { field: 'body' });
  }
}

async function route(log: TransparencyLog, req: IncomingMessage, res: ServerResponse, maxBody: number): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://log');
  const q = url.searchParams;
  const get = req.method === 'GET' || req.method === 'HEAD';
  switch (`${get ? 'GET' : req.method} ${url.pathname}`) {
    case 'GET /sth': {
      const size = optionalInt(q, 'size');
      if (size === undefined) return send(res, 200, await log.latestTreeHead());
      const head = (await log.treeHeads()).filter((h) => h.payload.size === size).at(-1);
      if (!head) throw new NotFoundError(`log ${log.name} signed no head of size ${size}`);
      return send(res, 200, head);
    }
    case 'GET /sths': {
      const start = int(q, 'start', 0);
      const end = Math.min(int(q, 'end', start + MAX_PAGE), start + MAX_PAGE);
      return send(res, 200, { start, treeHeads: await log.treeHeads(start, end) });
    }
    case 'GET /proof/inclusion': {
      const hash = q.get('hash') ?? '';
      if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new InvalidInputError('hash must be a leaf hash: 64 hex digits', { field: 'hash' });
      const found = await log.inclusionProof(hash, optionalInt(q, 'size'));
      if (!found) throw new NotFoundError(`leaf ${hash} is not in log ${log.name}${q.has('size') ? ` at size ${q.get('size')}` : ''}`);
      return send(res, 200, found);
    }
    case 'GET /proof/consistency': {
      const [first, second] = [int(q, 'first'), int(q, 'second')];
      return send(res, 200, { first, second, proof: await log.consistencyProof(first, second) });
    }
    case 'GET /leaves': {
      const start = int(q, 'start', 0);
      const end = Math.min(int(q, 'end', start + MAX_PAGE), start + MAX_PAGE);
      return send(res, 200, { start, entries: await log.entries(start, end) });
    }
    case 'POST /leaves': {
      const result = await log.append(await readBody(req, maxBody));
      return send(res, result.duplicate ? 200 : 201, result);
    }
    default:
      throw Object.assign(new NotFoundError(`no route ${req.method} ${url.pathname}`), {
        status: ['/leaves', '/sth', '/sths'].includes(url.pathname) ? 405 : 404,
      });
  }
}

/** Serves `log` until `close()`. */
export async function startLogServer(log: TransparencyLog, options: LogServerOptions = {}): Promise<RunningLogServer> {
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const server = createServer((req, res) => {
    route(log, req, res, maxBody).catch((err: unknown) => {
      const explicit = (err as { status?: number }).status;
      if (isBsnError(err)) return send(res, explicit ?? STATUS[err.code] ?? 500, { error: { code: err.code, message: err.message } });
      process.stderr.write(`log server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
