/**
 * The REST gateway (fastify). Every `/v1` call except `GET /v1/node` is authenticated (see
 * canonical.ts in @bsn/protocol); every response, errors included, carries the node's
 * signature over status + body hash + the digest of the exact request it answers. Bodies are read as raw bytes (the
 * signature covers their hash) and parsed as JSON only after authentication; too large is
 * 413, unparsable is 400, both before anything is written.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Logger } from '@bsn/contract';
import { Authenticator, type Caller, type IncomingRequest } from '../auth/authenticator.js';
import { EMPTY_REQUEST_DIGEST, HEADERS, eventJson, eventSigningData, splitUrl, type ResponseSigner } from '@bsn/protocol';
import { parseCheckpoint } from '../body.js';
import { ApiError, describeError, invalid } from '../errors.js';
import type { GatewayService } from '../gateway-service.js';
import { openApiDocument } from './openapi.js';
import type { InterchainNode } from '../interchain/interchain-node.js';
import { registerInterchainRoutes } from './interchain-routes.js';

export interface RestOptions {
  service: GatewayService;
  auth: Authenticator;
  signer: ResponseSigner;
  bodyLimit: number;
  logger?: Logger;
  /** Keep-alive comment interval of event streams, ms. */
  heartbeatMs?: number;
  /** The interchain API (calls, and the node-to-node attestation API), when the node runs it. */
  interchain?: InterchainNode;
}

declare module 'fastify' {
  interface FastifyRequest {
    bsnBody?: Buffer;
    bsnApp?: string;
    bsnOutBytes?: number;
    /** The request's digest once authentication computed it. */
    bsnDigest?: string;
    /** Who made the request, once authenticated. */
    bsnCaller?: Caller;
  }
}

type Handler = (caller: Caller, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const UNPARSED_METHODS = new Set(['GET', 'HEAD', 'TRACE']);

/** What the node reads of a request's headers (Node's default, 16 KiB, refused long keys). */
const MAX_HEADER_BYTES = 64 * 1024;

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const raw = req.bsnBody;
  if (!raw || raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw invalid('malformed-body', `the body is not valid JSON: ${(err as Error).message}`, '/');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('malformed-body', 'the body must be a JSON object', '/');
  return value as Record<string, unknown>;
}

function intParam(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  // Decimal digits only: Number() would also read `0x10`, `1e3` and ` 16`.
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw invalid('invalid-field', `${field} must be an integer from ${min} to ${max}`, field);
  return n;
}

export async function buildRestServer(o: RestOptions): Promise<FastifyInstance> {
  const { service, auth, signer } = o;
  const rawPath = (req: FastifyRequest) => splitUrl(req.raw.url ?? '/');
  const incoming = (req: FastifyRequest): IncomingRequest => ({
    method: req.method,
    ...rawPath(req),
    body: req.bsnBody ?? Buffer.alloc(0),
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    },
  });

  const app = Fastify({
    bodyLimit: o.bodyLimit,
    logger: false,
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
    forceCloseConnections: true,
    // Node's HTTP parser refuses what it cannot read (control characters, bare CR/LF, NUL in a
    // header, headers over the limit) before any route: the node still answers in its own
    // format, signed, for the empty request (no request was read to bind the answer to).
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler: (err: Error & { code?: string }, socket: Duplex) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      const body = JSON.stringify({
        error: {
          code: 'INVALID_INPUT',
          reason: tooLarge ? 'request-too-large' : 'malformed-request',
          message: tooLarge
            ? `the request's headers are larger than the ${MAX_HEADER_BYTES} bytes this node reads`
            : `the request is not valid HTTP/1.1 (${err.code ?? 'unreadable'})`,
        },
      });
      void signer.signResponse(status, Buffer.from(body), EMPTY_REQUEST_DIGEST).then(
        (signature) => {
          if (socket.destroyed || !socket.writable) return;
          socket.end(
            `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
              `${HEADERS.nodeSignature}: ${signature}\r\n${HEADERS.nodeKey}: ${signer.key.keyId}\r\n${HEADERS.requestDigest}: ${EMPTY_REQUEST_DIGEST}\r\nconnection: close\r\n\r\n${body}`,
          );
        },
        () => socket.destroy(),
      );
    },
    // A URL fastify cannot decode (`%FF%FE`) never reaches the hooks: signed here, for the request as received.
    frameworkErrors: (err: Error, req: FastifyRequest, reply: FastifyReply) => {
      const body = JSON.stringify({ error: { code: 'INVALID_INPUT', reason: 'malformed-request', message: err.message } });
      const digest = Authenticator.digestOf(incoming(req));
      void signer.signResponse(400, Buffer.from(body), digest).then((signature) =>
        reply
          .code(400)
          .headers({ [HEADERS.nodeSignature]: signature, [HEADERS.nodeKey]: signer.key.keyId, [HEADERS.requestDigest]: digest })
          .type('application/json')
          .send(body),
      );
    },
  } as FastifyServerOptions);
  const heartbeatMs = o.heartbeatMs ?? 15_000;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.bodyLimit }, (req, body, done) => {
    req.bsnBody = body as Buffer;
    done(null, body);
  });

  // Fastify reads no body for GET, HEAD or TRACE, yet a client may send one and sign it:
  // read it here, so the answer (a 405, say) is bound to the request as it was sent.
  app.addHook('onRequest', async (req) => {
    if (!UNPARSED_METHODS.has(req.method)) return;
    const length = Number(req.headers['content-length'] ?? 0);
    if (!(length > 0) && req.headers['transfer-encoding'] === undefined) return;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req.raw as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > o.bodyLimit)
        throw new ApiError(
          'INVALID_INPUT',
          'body-too-large',
          `the request body is larger than the ${o.bodyLimit} bytes this node accepts`,
          { httpStatus: 413 },
        );
      chunks.push(chunk);
    }
    req.bsnBody = Buffer.concat(chunks);
  });

  const authed = (handler: Handler) => async (req: FastifyRequest, reply: FastifyReply) => {
    const params = req.params as Record<string, string | undefined>;
    if (params['app']) req.bsnApp = params['app'];
    const caller = await auth.authenticate(incoming(req));
    req.bsnDigest = caller.digest;
    req.bsnCaller = caller;
    if (params['app'] !== undefined && caller.app !== params['app']) {
      throw new ApiError(
        'UNAUTHORIZED',
        'app-mismatch',
        `the request was signed for app "${caller.app}" but addresses app ${params['app']}: sign with ${HEADERS.app}: ${params['app']}`,
        { field: HEADERS.app },
      );
    }
    return handler(caller, req, reply);
  };

  // Sign every response for the request it answers (errors and unauthenticated requests included).
  app.addHook('onSend', async (req, reply, payload) => {
    let bytes: Buffer;
    if (payload === null || payload === undefined) bytes = Buffer.alloc(0);
    else if (typeof payload === 'string') bytes = Buffer.from(payload, 'utf8');
    else if (Buffer.isBuffer(payload)) bytes = payload;
    else return payload;
    req.bsnOutBytes = bytes.length;
    const digest = req.bsnDigest ?? Authenticator.digestOf(incoming(req));
    // A HEAD answer carries no body: the signature is over what is sent.
    const sent = req.method === 'HEAD' ? Buffer.alloc(0) : bytes;
    reply.header(HEADERS.nodeSignature, await signer.signResponse(reply.statusCode, sent, digest));
    reply.header(HEADERS.nodeKey, signer.key.keyId);
    reply.header(HEADERS.requestDigest, digest);
    return bytes;
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    service.metering.requests.observe({ api: 'rest', route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (req.bsnApp && reply.statusCode < 400) {
      const bytesIn = Number(req.headers['content-length'] ?? req.bsnBody?.length ?? 0);
      service.recordBandwidth(req.bsnCaller, req.bsnApp, bytesIn, req.bsnOutBytes ?? 0);
    }
  });

  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, _req, reply) => {
    let error: unknown = err;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      error = new ApiError(
        'INVALID_INPUT',
        'body-too-large',
        `the request body is larger than the ${o.bodyLimit} bytes this node accepts`,
        { httpStatus: 413 },
      );
    } else if (typeof err.code === 'string' && err.code.startsWith('FST_ERR_CTP')) {
      error = invalid('malformed-body', `the request body could not be read: ${err.message}`, '/');
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 && !('reason' in err)) {
      error = invalid('malformed-body', err.message);
    }
    const { status, body } = describeError(error);
    if (status >= 500) o.logger?.error('request failed', { error: err.message, stack: err.stack });
    return reply.code(status).type('application/json').send(body);
  });

  // Which methods each route pattern serves, so a known path with another method is a 405, not a 404.
  const routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(
      `^${route.url
        .replace(/[.]/g, '\\.')
        .replace(/:[^/]+/g, '[^/]+')
        .replace(/\*/g, '.*')}$`,
    );
    const methods = ([] as string[]).concat(route.method);
    const known = routes.find((r) => r.pattern.source === pattern.source);
    if (known) methods.forEach((m) => known.methods.add(m));
    else routes.push({ pattern, methods: new Set(methods) });
  });

  app.setNotFoundHandler(async (req, reply) => {
    const { path } = rawPath(req);
    const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]));
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(', ');
      return reply
        .code(405)
        .header('allow', allow)
        .send({
          error: {
            code: 'INVALID_INPUT',
            reason: 'method-not-allowed',
            message: `${req.method} is not served on ${path} (allowed: ${allow})`,
          },
        });
    }
    return reply.code(404).send({ error: { code: 'NOT_FOUND', reason: 'not-found', message: `no route ${req.method} ${path}` } });
  });

  // unauthenticated
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const r = await service.ready();
    return reply.code(r.ok ? 200 : 503).send(r);
  });
  app.get('/metrics', async (_req, reply) => {
    const m = await service.metering.metrics();
    return reply.type(m.contentType).send(m.body);
  });
  app.get('/openapi.json', async () => openApiDocument());
  app.get('/v1/node', async () => service.nodeInfo());

  // users
  app.get(
    '/v1/users/me',
    authed((c) => service.me(c)),
  );
  app.post(
    '/v1/users',
    authed(async (c, req, reply) => reply.code(201).send(await service.createUser(c, jsonBody(req)))),
  );
  app.put(
    '/v1/users/me/chain-keys/:framework',
    authed((c, req) => service.setChainKey(c, (req.params as { framework: string }).framework, jsonBody(req))),
  );

  // portals and their users, at run time (operators; a portal's admins for its users; its users read it)
  const portalParam = (req: FastifyRequest) => (req.params as { portal: string }).portal;
  app.get(
    '/v1/portals',
    authed(async (c) => ({ portals: await service.listPortals(c) })),
  );
  app.post(
    '/v1/portals',
    authed(async (c, req, reply) => reply.code(201).send(await service.createPortal(c, jsonBody(req)))),
  );
  app.get(
    '/v1/portals/:portal',
    authed((c, req) => service.getPortal(c, portalParam(req))),
  );
  app.patch(
    '/v1/portals/:portal',
    authed((c, req) => service.updatePortal(c, portalParam(req), jsonBody(req))),
  );
  app.get(
    '/v1/portals/:portal/users',
    authed(async (c, req) => ({ users: await service.listPortalUsers(c, portalParam(req)) })),
  );
  app.post(
    '/v1/portals/:portal/users',
    authed(async (c, req, reply) => reply.code(201).send(await service.createPortalUser(c, portalParam(req), jsonBody(req)))),
  );
  app.patch(
    '/v1/portals/:portal/users/:user',
    authed((c, req) => service.updatePortalUser(c, portalParam(req), (req.params as { user: string }).user, jsonBody(req))),
  );
  app.get(
    '/v1/operator/overview',
    authed((c) => service.operatorOverview(c)),
  );

  // apps
  app.get(
    '/v1/apps',
    authed(async (c) => ({ apps: await service.listApps(c) })),
  );
  app.post(
    '/v1/apps',
    authed(async (c, req, reply) => {
      const body = jsonBody(req);
      if (typeof body['code'] === 'string') req.bsnApp = body['code'];
      return reply.code(201).send(await service.createApp(c, body));
    }),
  );
  app.get(
    '/v1/apps/:app',
    authed((c, req) => service.getApp(c, (req.params as { app: string }).app)),
  );
  app.post(
    '/v1/apps/:app/members',
    authed((c, req) => service.admit(c, (req.params as { app: string }).app, jsonBody(req))),
  );
  app.post(
    '/v1/apps/:app/upgrade',
    authed((c, req) => service.upgradeApp(c, (req.params as { app: string }).app, jsonBody(req))),
  );
  app.get(
    '/v1/apps/:app/usage',
    authed((c, req) => service.usage(c, (req.params as { app: string }).app)),
  );

  // grants
  app.get(
    '/v1/apps/:app/grants',
    authed(async (c, req) => ({ grants: await service.listGrants(c, (req.params as { app: string }).app) })),
  );
  app.post(
    '/v1/apps/:app/grants',
    authed((c, req) => service.grant(c, (req.params as { app: string }).app, jsonBody(req))),
  );
  app.delete(
    '/v1/apps/:app/grants/:direction/:peer',
    authed(async (c, req) => {
      const p = req.params as { app: string; direction: string; peer: string };
      return { grant: await service.revokeGrant(c, p.app, p.peer, p.direction) };
    }),
  );

  // preset data contract
  const kvKey = (req: FastifyRequest) => {
    const key = (req.params as Record<string, string>)['*'] ?? '';
    if (!key) throw invalid('invalid-field', 'the key is empty (…/kv/<key>)', '/key');
    return key;
  };
  const requestIdOf = (req: FastifyRequest) => (req.headers[HEADERS.requestId] as string | undefined) ?? undefined;
  app.put(
    '/v1/apps/:app/kv/*',
    authed((c, req) =>
      service.kvPut(c, (req.params as { app: string }).app, kvKey(req), new Uint8Array(req.bsnBody ?? Buffer.alloc(0)), requestIdOf(req)),
    ),
  );
  app.get(
    '/v1/apps/:app/kv/*',
    authed((c, req) => service.kvGet(c, (req.params as { app: string }).app, kvKey(req))),
  );
  app.delete(
    '/v1/apps/:app/kv/*',
    authed((c, req) => service.kvDelete(c, (req.params as { app: string }).app, kvKey(req), requestIdOf(req))),
  );
  app.get(
    '/v1/apps/:app/history/*',
    authed((c, req) => service.kvHistory(c, (req.params as { app: string }).app, kvKey(req))),
  );
  app.get(
    '/v1/apps/:app/kv',
    authed((c, req) => {
      const q = req.query as Record<string, string | undefined>;
      return service.kvList(
        c,
        (req.params as { app: string }).app,
        q['prefix'] ?? '',
        intParam(q['limit'], 'limit', 1, 10_000),
        q['cursor'],
      );
    }),
  );

  // generic contract calls
  app.post(
    '/v1/apps/:app/transactions',
    authed((c, req) => service.submit(c, (req.params as { app: string }).app, jsonBody(req))),
  );
  app.post(
    '/v1/apps/:app/query',
    authed((c, req) => service.evaluate(c, (req.params as { app: string }).app, jsonBody(req))),
  );
  app.post(
    '/v1/apps/:app/transactions/prepare',
    authed((c, req) => service.prepare(c, (req.params as { app: string }).app, jsonBody(req))),
  );
  app.post(
    '/v1/apps/:app/transactions/prepared/:id',
    authed((c, req) => {
      const p = req.params as { app: string; id: string };
      return service.submitPrepared(c, p.app, p.id, jsonBody(req));
    }),
  );

  // events (SSE); `only` keeps the events a route serves (the interchain stream: packet events)
  const eventStream = (only?: (name: string) => boolean) =>
    authed(async (c, req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const lastEventId = req.headers['last-event-id'] as string | undefined;
      const after = parseCheckpoint(lastEventId ?? q['after'], lastEventId ? 'Last-Event-ID' : 'after');
      const controller = new AbortController();
      const all = await service.events(c, (req.params as { app: string }).app, after, q['name'] || undefined, controller.signal);
      const events = only ? filtered(all, only) : all;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        [HEADERS.nodeSignature]: await signer.signResponse(200, new Uint8Array(0), c.digest),
        [HEADERS.nodeKey]: signer.key.keyId,
        [HEADERS.requestDigest]: c.digest,
      });
      res.write(': bsn event stream\n\n');
      const heartbeat = setInterval(() => res.write(': keepalive\n\n'), heartbeatMs);
      const stop = () => {
        controller.abort();
        clearInterval(heartbeat);
      };
      req.raw.on('close', stop);
      res.on('close', stop);
      let sent = 0;
      try {
        for await (const e of events) {
          const ev = eventJson(e);
          const signature = await signer.signEvent(ev.id, eventSigningData(ev), c.digest);
          const chunk = `id: ${ev.id}\nevent: ${ev.name}\ndata: ${JSON.stringify({ ...ev, signature })}\n\n`;
          sent += Buffer.byteLength(chunk);
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
          if (controller.signal.aborted) break;
        }
      } catch (err) {
        if (!controller.signal.aborted) {
          const { body } = describeError(err);
          const signature = await signer.signResponse(200, Buffer.from(JSON.stringify(body), 'utf8'), c.digest);
          res.write(`event: error\ndata: ${JSON.stringify({ ...body, signature })}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        res.end();
        service.recordBandwidth(c, (req.params as { app: string }).app, 0, sent);
      }
    });
  app.get('/v1/apps/:app/events', eventStream());
  if (o.interchain) registerInterchainRoutes(app, { authed, jsonBody, incoming, node: o.interchain, eventStream });

  return app;
}

async function* filtered<T extends { name: string }>(events: AsyncIterable<T>, keep: (name: string) => boolean): AsyncIterable<T> {
  for await (const e of events) if (keep(e.name)) yield e;
}
