/**
 * REST routes of the interchain API: an app's calls (send, one, list, the stream of packet events
 * on its chain) for its members, and the node-to-node attestation API, authenticated as a pinned
 * peer node rather than a user.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, IncomingRequest } from '../auth/authenticator.js';
import type { InterchainNode } from '../interchain/interchain-node.js';
import { ATTESTATIONS_PATH } from '../interchain/peer-client.js';

/** An authenticated route's handler, as server.ts runs it. */
type Handler = (caller: Caller, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface InterchainRouteDeps {
  authed: (handler: Handler) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  jsonBody: (req: FastifyRequest) => Record<string, unknown>;
  incoming: (req: FastifyRequest) => IncomingRequest;
  node: InterchainNode;
  eventStream: (only?: (name: string) => boolean) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export function registerInterchainRoutes(app: FastifyInstance, d: InterchainRouteDeps): void {
  const { authed, jsonBody, node } = d;
  const appOf = (req: FastifyRequest) => (req.params as { app: string }).app;
  app.post(
    '/v1/apps/:app/interchain/calls',
    authed(async (c, req, reply) => reply.code(201).send(await node.calls.send(c, appOf(req), jsonBody(req)))),
  );
  app.get(
    '/v1/apps/:app/interchain/calls',
    authed(async (c, req) => ({ calls: await node.calls.list(c, appOf(req)) })),
  );
  app.get(
    '/v1/apps/:app/interchain/calls/:id',
    authed((c, req) => node.calls.get(c, appOf(req), (req.params as { id: string }).id)),
  );
  app.get(
    '/v1/apps/:app/interchain/events',
    d.eventStream((name) => name.startsWith('packet.')),
  );
  app.post(ATTESTATIONS_PATH, async (req) => {
    const peer = await node.peerAuth.authenticate(d.incoming(req));
    req.bsnDigest = peer.digest;
    return node.attestFor(jsonBody(req));
  });
}
