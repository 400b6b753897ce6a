/** The REST gateway's OpenAPI 3.1 document, served at `/openapi.json`: every route as it is really called. */
import { REASONS } from '@bsn/protocol';

const authParams = [
  { name: 'x-bsn-user', in: 'header', required: true, schema: { type: 'string' }, description: "The calling user's code." },
  {
    name: 'x-bsn-app',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: "The app code the request is about (must equal the path's app; empty outside an app).",
  },
  {
    name: 'x-bsn-timestamp',
    in: 'header',
    required: true,
    schema: { type: 'string', pattern: '^\\d+$' },
    description: "ms since the epoch; refused beyond the node's clock skew (default ±5 min).",
  },
  {
    name: 'x-bsn-nonce',
    in: 'header',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,128}$' },
    description: 'Single use per user: a repeat is refused as a replay.',
  },
  {
    name: 'x-bsn-signature',
    in: 'header',
    required: true,
    schema: { type: 'string', pattern: '^[0-9a-fA-F]{128}$' },
    description:
      "r‖s hex by the user's registered key over BSN-REQUEST-V1\\nMETHOD\\npath\\nsorted query\\nsha256(body)\\nuser\\napp\\ntimestamp\\nnonce.",
  },
];
const appParam = { name: 'app', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } };
const portalParam = {
  name: 'portal',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
};
const keyParam = {
  name: 'key',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1 },
  description: 'The key, UTF-8, percent-encoded; a "/" in the key may be sent as %2F or as it is.',
};
const requestIdParam = {
  name: 'x-bsn-request-id',
  in: 'header',
  required: false,
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  description: 'Idempotency id; default derived from the nonce.',
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (schema: unknown, description = 'OK') => ({ description, ...json(schema) });
const signed = {
  'x-bsn-node-signature': {
    description: "The node key's signature (r‖s hex) over BSN-RESPONSE-V2\\nstatus\\nsha256(body)\\nrequest digest",
    schema: { type: 'string', pattern: '^[0-9a-f]{128}$' },
  },
  'x-bsn-node-key': { description: 'The id of the key that signed', schema: { type: 'string' } },
  'x-bsn-request-digest': { description: 'The digest of the request as the node received it (informational)', schema: { type: 'string' } },
};
const failure = (description: string) => ({ description, headers: signed, ...json(ref('Error')) });
const errors = {
  400: failure('Invalid input or malformed body'),
  401: failure('Missing, malformed, forged, stale or replayed credentials'),
  403: failure("Not allowed (not admitted, not the owner, not an operator, outside the portal's jurisdiction, wrong key mode)"),
  404: failure('No such app in your portal, or no such key'),
  405: failure('Method not served on this path (see Allow)'),
  409: failure('Conflict (exists, request id reused)'),
  413: failure('Body larger than the node accepts'),
  422: failure('Rejected by the chain'),
  431: failure('Request headers larger than the node reads'),
  503: failure('Chain unavailable'),
  504: failure('The chain did not answer in time (retry with the same request id)'),
};

function op(summary: string, extra: Record<string, unknown>, params: unknown[] = []): Record<string, unknown> {
  return {
    summary,
    parameters: [...authParams, ...params],
    responses: {
      ...Object.fromEntries(
        Object.entries(extra['responses'] as Record<string, object>).map(([status, r]) => [status, { ...r, headers: signed }]),
      ),
      ...errors,
    },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'responses')),
  };
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'BSN city node gateway',
      version: '1.0.0',
      description:
        'Apps, the preset data contract, generic contract calls and event streams on every certified framework. Every /v1 call is signed by the user (headers x-bsn-*); every response carries x-bsn-node-signature by the node key (GET /v1/node) over BSN-RESPONSE-V2\\nstatus\\nsha256(body)\\nrequest digest, the digest being SHA-256 of the signed request bytes, a newline and the signature as sent (docs/city-node.md). The same operations are served over gRPC (core/protocol/proto/bsn_gateway.proto).',
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', responses: { 200: ok({ type: 'object' }) } } },
      '/readyz': {
        get: {
          summary: 'Readiness: registry and every chain network answer',
          responses: { 200: ok({ type: 'object' }), 503: ok({ type: 'object' }, 'Not ready') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (per-app transactions, TPS, storage, bandwidth)',
          responses: { 200: { description: 'text/plain; version=0.0.4' } },
        },
      },
      '/v1/node': { get: { summary: 'Node name, public key and networks (unauthenticated)', responses: { 200: ok(ref('NodeInfo')) } } },
      '/v1/users/me': { get: op('The calling user', { responses: { 200: ok(ref('User')) } }) },
      '/v1/users': {
        post: op("Register a user in the caller's portal (portal admins)", {
          requestBody: json(ref('NewUser')),
          responses: { 201: ok(ref('User')) },
        }),
      },
      '/v1/users/me/chain-keys/{framework}': {
        put: op(
          'User-key mode: register the public key of your chain account on a framework',
          { requestBody: json(ref('ChainKey')), responses: { 200: ok(ref('User')) } },
          [{ name: 'framework', in: 'path', required: true, schema: { type: 'string' } }],
        ),
      },
      '/v1/portals': {
        get: op('Every portal with its jurisdiction policy (operators)', {
          responses: { 200: ok({ type: 'object', properties: { portals: { type: 'array', items: ref('Portal') } } }) },
        }),
        post: op('Create a portal, with the frameworks and networks it may offer (operators)', {
          requestBody: json(ref('NewPortal')),
          responses: { 201: ok(ref('Portal')) },
        }),
      },
      '/v1/portals/{portal}': {
        get: op('One portal: your own, or any for operators', { responses: { 200: ok(ref('Portal')) } }, [portalParam]),
        patch: op(
          "Change a portal's name or policy (operators); the policy applies to apps created from now on",
          { requestBody: json(ref('PortalPatch')), responses: { 200: ok(ref('Portal')) } },
          [portalParam],
        ),
      },
      '/v1/portals/{portal}/users': {
        get: op(
          "A portal's users (its admins, operators)",
          { responses: { 200: ok({ type: 'object', properties: { users: { type: 'array', items: ref('User') } } }) } },
          [portalParam],
        ),
        post: op(
          'Register a user of the portal (its admins, operators; only operators give the operator role)',
          { requestBody: json(ref('NewUser')), responses: { 201: ok(ref('User')) } },
          [portalParam],
        ),
      },
      '/v1/portals/{portal}/users/{user}': {
        patch: op(
          "Change a user's role or request-signing key (operators)",
          { requestBody: json(ref('UserPatch')), responses: { 200: ok(ref('User')) } },
          [portalParam, { name: 'user', in: 'path', required: true, schema: { type: 'string' } }],
        ),
      },
      '/v1/operator/overview': {
        get: op('The whole node for its operators: plugins and certificates, networks and their health, portals, apps and usage', {
          responses: { 200: ok(ref('Overview')) },
        }),
      },
      '/v1/apps': {
        get: op('Apps of your portal you are admitted to (all of them for portal admins)', {
          responses: { 200: ok({ type: 'object', properties: { apps: { type: 'array', items: ref('App') } } }) },
        }),
        post: op('Create an app on a framework (preset data contract by default)', {
          requestBody: json(ref('NewApp')),
          responses: { 201: ok(ref('App')) },
        }),
      },
      '/v1/apps/{app}': { get: op('One app', { responses: { 200: ok(ref('App')) } }, [appParam]) },
      '/v1/apps/{app}/members': {
        post: op(
          'Admit a user of the portal (owner or portal admin)',
          {
            requestBody: json({ type: 'object', required: ['user'], properties: { user: { type: 'string' } } }),
            responses: { 200: ok(ref('App')) },
          },
          [appParam],
        ),
      },
      '/v1/apps/{app}/upgrade': {
        post: op(
          "Upgrade the app's contract with the framework's own mechanism, state kept (owner or portal admin); a failed upgrade leaves the old version serving",
          {
            requestBody: json({ type: 'object', required: ['contract'], properties: { contract: { type: 'object' } } }),
            responses: { 200: ok(ref('App')) },
          },
          [appParam],
        ),
      },
      '/v1/apps/{app}/usage': {
        get: op(
          'Metering: transactions, TPS over the window, reads, storage written, bandwidth',
          { responses: { 200: ok(ref('Usage')) } },
          [appParam],
        ),
      },
      '/v1/apps/{app}/grants': {
        get: op('App-to-app authorizations involving this app', { responses: { 200: ok({ type: 'object' }) } }, [appParam]),
        post: op(
          'Grant one side of an app-to-app authorization (effective once both apps granted)',
          { requestBody: json(ref('NewGrant')), responses: { 200: ok(ref('Grant')) } },
          [appParam],
        ),
      },
      '/v1/apps/{app}/grants/{direction}/{peer}': {
        delete: op("Revoke this app's side of a grant", { responses: { 200: ok({ type: 'object' }) } }, [
          appParam,
          { name: 'direction', in: 'path', required: true, schema: { enum: ['incoming', 'outgoing'] } },
          { name: 'peer', in: 'path', required: true, schema: { type: 'string' } },
        ]),
      },
      '/v1/apps/{app}/kv': {
        get: op('List live keys by prefix, byte-wise ascending', { responses: { 200: ok({ type: 'object' }) } }, [
          appParam,
          { name: 'prefix', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ]),
      },
      '/v1/apps/{app}/kv/{key}': {
        put: op(
          'Write a value (the raw request body); returns once final on the chain (hosted-key users)',
          {
            requestBody: { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
            responses: { 200: ok(ref('Receipt')) },
          },
          [appParam, keyParam, requestIdParam],
        ),
        get: op('Read a value', { responses: { 200: ok(ref('KvEntry')) } }, [appParam, keyParam]),
        delete: op('Delete a key', { responses: { 200: ok(ref('Receipt')) } }, [appParam, keyParam, requestIdParam]),
      },
      '/v1/apps/{app}/history/{key}': {
        get: op('Every write of a key, oldest first (deletes have value null)', { responses: { 200: ok({ type: 'object' }) } }, [
          appParam,
          keyParam,
        ]),
      },
      '/v1/apps/{app}/transactions': {
        post: op(
          "Submit a call of the app's contract (hosted keys); idempotent on requestId",
          { requestBody: json(ref('Invocation')), responses: { 200: ok(ref('Receipt')) } },
          [appParam],
        ),
      },
      '/v1/apps/{app}/query': {
        post: op('Evaluate a read-only call', { requestBody: json(ref('Invocation')), responses: { 200: ok({ type: 'object' }) } }, [
          appParam,
        ]),
      },
      '/v1/apps/{app}/transactions/prepare': {
        post: op(
          'User-key mode, step one: build the transaction; sign its digest with your chain key',
          { requestBody: json(ref('Invocation')), responses: { 200: ok(ref('Prepared')) } },
          [appParam],
        ),
      },
      '/v1/apps/{app}/transactions/prepared/{id}': {
        post: op(
          'User-key mode, step two: relay your signature; returns once final',
          {
            requestBody: json({
              type: 'object',
              required: ['signature'],
              properties: { signature: { type: 'string' }, recovery: { enum: [0, 1] } },
            }),
            responses: { 200: ok(ref('Receipt')) },
          },
          [appParam, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        ),
      },
      '/v1/apps/{app}/events': {
        get: op(
          "Server-sent events from a checkpoint (Last-Event-ID or ?after=block:index), ordered, no gaps; each data carries the node's signature",
          { responses: { 200: { description: 'text/event-stream' } } },
          [
            appParam,
            { name: 'after', in: 'query', schema: { type: 'string', pattern: '^\\d+:\\d+$' } },
            { name: 'name', in: 'query', schema: { type: 'string' } },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
          ],
        ),
      },
      '/v1/apps/{app}/interchain/calls': {
        post: op(
          'Send an interchain call from this app to an app on another chain: refused (403 not-granted) unless both owners granted it for the method; emitted on the source chain under your hosted key and relayed by the city nodes',
          { requestBody: json(ref('NewInterchainCall')), responses: { 201: ok(ref('InterchainCall'), 'Sent') } },
          [appParam],
        ),
        get: op("This app's interchain calls sent through this node, newest first", { responses: { 200: ok({ type: 'object' }) } }, [
          appParam,
        ]),
      },
      '/v1/apps/{app}/interchain/calls/{packetId}': {
        get: op(
          'One call: sent → delivered → acknowledged, or timed-out → closed, with evidence ids and transaction ids (each read from the chains by the relayer)',
          { responses: { 200: ok(ref('InterchainCall')) } },
          [appParam, { name: 'packetId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }],
        ),
      },
      '/v1/apps/{app}/interchain/events': {
        get: op(
          "The app's packet events as server-sent events (packet.sent, packet.received, packet.timeout, packet.acknowledged, packet.closed): resumable and signed as /events",
          { responses: { 200: { description: 'text/event-stream' } } },
          [
            appParam,
            { name: 'after', in: 'query', schema: { type: 'string', pattern: '^\\d+:\\d+$' } },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
          ],
        ),
      },
      '/v1/interchain/attestations': {
        post: {
          summary:
            "Node to node: attest a block this node reads on its own connection, or a packet / ack / timeout whose evidence this node's verifier proves against the roots it pins. Signed as a user request but with x-bsn-user the calling node's name and its node key, accepted only from peers pinned in interchain.peers",
          requestBody: json(ref('AttestationRequest')),
          responses: {
            200: {
              ...ok({ type: 'object' }, '{ attestation } (kind packet/ack/timeout) or { blockAttestation } (kind block)'),
              headers: signed,
            },
            ...errors,
          },
        },
      },
    },
    components: {
      schemas: {
        NewInterchainCall: {
          type: 'object',
          required: ['dstChain', 'dstApp', 'method', 'timeout'],
          properties: {
            dstChain: {
              type: 'string',
              pattern: '^[a-z0-9][a-z0-9._-]{0,63}$',
              description: "The target chain's name (its network's name)",
            },
            dstApp: { type: 'string', description: 'The target app: its code in your portal, or <portal>:<code>' },
            method: { enum: ['kv.put', 'kv.get', 'kv.delete'] },
            payload: { type: 'string', description: "base64: core's encodePacketCall (kv.put: u16 key length, key, value)" },
            timeout: {
              type: 'integer',
              description: 'ms since the epoch, within 7 days; after it the call is closed as timed out, never delivered',
            },
          },
        },
        InterchainCall: {
          type: 'object',
          required: ['packetId', 'packet', 'state', 'txs', 'evidence'],
          properties: {
            packetId: { type: 'string' },
            packet: { type: 'object' },
            state: { enum: ['sent', 'delivered', 'acknowledged', 'timed-out', 'closed'] },
            txs: { type: 'object', description: 'send, deliver, acknowledge, timeout, close' },
            evidence: { type: 'object', description: 'packet, ack, timeout: <chain>/<block>/<txId> of the evidence relayed' },
            ack: { type: 'object', description: "The target's ack: packetId, commitment, status (OK or an error code), result (base64)" },
            lastError: { type: 'string', description: "Why the relayer's last step failed (it retries)" },
          },
        },
        AttestationRequest: {
          type: 'object',
          required: ['kind'],
          properties: {
            kind: { enum: ['block', 'packet', 'ack', 'timeout'] },
            block: { type: 'object', description: 'kind block: framework, chain, number, hash' },
            packet: { type: 'object' },
            ack: { type: 'object' },
            evidence: { type: 'object' },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'reason', 'message'],
              properties: {
                code: {
                  enum: [
                    'INVALID_INPUT',
                    'UNAUTHORIZED',
                    'NOT_FOUND',
                    'CONFLICT',
                    'REJECTED_BY_CHAIN',
                    'UNAVAILABLE',
                    'TIMEOUT',
                    'INTERNAL',
                  ],
                },
                reason: { enum: [...REASONS], description: 'The exact problem beneath the code' },
                message: { type: 'string' },
                field: { type: 'string' },
              },
            },
          },
        },
        NodeInfo: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            key: { type: 'object' },
            networks: { type: 'array', items: { type: 'object' } },
            withdrawn: {
              type: 'array',
              description: 'Networks taken out of service while the node runs (their plugin was revoked); their apps answer UNAVAILABLE',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  plugin: { type: 'string' },
                  reason: { type: 'string' },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
        User: {
          type: 'object',
          properties: {
            code: { type: 'string' },
            portal: { type: 'string' },
            algorithm: { type: 'string' },
            publicKey: { type: 'string' },
            keyMode: { enum: ['hosted', 'user'] },
            role: { enum: ['operator', 'admin', 'member'] },
          },
        },
        NewUser: {
          type: 'object',
          required: ['code', 'algorithm', 'publicKey'],
          properties: {
            code: { type: 'string' },
            algorithm: { enum: ['secp256k1', 'secp256r1', 'sm2'] },
            publicKey: { type: 'string' },
            keyMode: { enum: ['hosted', 'user'] },
            role: { enum: ['operator', 'admin', 'member'] },
          },
        },
        UserPatch: {
          type: 'object',
          properties: {
            role: { enum: ['operator', 'admin', 'member'] },
            algorithm: { enum: ['secp256k1', 'secp256r1', 'sm2'] },
            publicKey: { type: 'string' },
          },
        },
        PortalPolicy: {
          type: 'object',
          description: 'What the portal may offer its users: an absent list allows any, an empty list none',
          properties: {
            frameworks: { type: 'array', items: { type: 'string' } },
            networks: { type: 'array', items: { type: 'string' } },
          },
        },
        Portal: {
          type: 'object',
          properties: { code: { type: 'string' }, name: { type: 'string' }, policy: ref('PortalPolicy'), createdAt: { type: 'integer' } },
        },
        NewPortal: {
          type: 'object',
          required: ['code'],
          properties: { code: { type: 'string' }, name: { type: 'string' }, policy: ref('PortalPolicy') },
        },
        PortalPatch: { type: 'object', properties: { name: { type: 'string' }, policy: ref('PortalPolicy') } },
        Overview: {
          type: 'object',
          properties: {
            node: { type: 'string' },
            at: { type: 'integer' },
            plugins: { type: 'array', items: { type: 'object' } },
            networks: { type: 'array', items: { type: 'object' } },
            withdrawn: { type: 'array', items: { type: 'object' } },
            portals: { type: 'array', items: { type: 'object' } },
            interchain: { type: 'array', items: { type: 'object' } },
          },
        },
        ChainKey: {
          type: 'object',
          required: ['algorithm', 'publicKey'],
          properties: { algorithm: { enum: ['secp256k1', 'secp256r1', 'sm2'] }, publicKey: { type: 'string' } },
        },
        App: {
          type: 'object',
          properties: {
            code: { type: 'string' },
            portal: { type: 'string' },
            owner: { type: 'string' },
            framework: { type: 'string' },
            network: { type: 'string' },
            members: { type: 'array', items: { type: 'string' } },
            chain: { type: 'object' },
          },
        },
        NewApp: {
          type: 'object',
          required: ['code'],
          properties: {
            code: { type: 'string' },
            name: { type: 'string' },
            framework: { type: 'string' },
            network: { type: 'string' },
            mode: { enum: ['private', 'consortium'] },
            placement: {
              enum: ['shared', 'dedicated'],
              description:
                "shared (default): beside other apps; dedicated: the app's own ledger where the framework has one (Fabric: a channel of its own, created with the app, a few seconds)",
            },
            contract: { type: 'object' },
            members: { type: 'array', items: { type: 'string' } },
          },
        },
        NewGrant: {
          type: 'object',
          required: ['peer', 'direction'],
          properties: {
            peer: { type: 'string' },
            direction: { enum: ['incoming', 'outgoing'] },
            methods: { type: 'array', items: { type: 'string' } },
            expiresAt: { type: 'integer' },
          },
        },
        Grant: {
          type: 'object',
          properties: {
            sourceApp: { type: 'string' },
            targetApp: { type: 'string' },
            source: { type: 'object' },
            target: { type: 'object' },
            effective: { type: 'boolean' },
          },
        },
        Invocation: {
          type: 'object',
          required: ['method'],
          properties: {
            method: { type: 'string' },
            args: { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'object', properties: { base64: { type: 'string' } } }] } },
            requestId: { type: 'string' },
          },
        },
        Prepared: {
          type: 'object',
          properties: {
            preparedId: { type: 'string' },
            requestId: { type: 'string' },
            algorithm: { type: 'string' },
            publicKey: { type: 'string' },
            digest: { type: 'string' },
            expiresAt: { type: 'integer' },
          },
        },
        Receipt: {
          type: 'object',
          properties: {
            txId: { type: 'string' },
            requestId: { type: 'string' },
            status: { const: 'committed' },
            block: { type: 'object' },
            result: { type: 'string', description: 'base64' },
            events: { type: 'array', items: { type: 'object' } },
            timestamp: { type: 'integer' },
          },
        },
        KvEntry: {
          type: 'object',
          properties: {
            key: { type: 'string' },
            value: { type: 'string', description: 'base64' },
            valueText: { type: 'string' },
            txId: { type: 'string' },
            block: { type: 'integer' },
          },
        },
        Usage: {
          type: 'object',
          properties: {
            app: { type: 'string' },
            txs: { type: 'integer' },
            tps: { type: 'number' },
            windowMs: { type: 'integer' },
            reads: { type: 'integer' },
            storageBytes: { type: 'integer' },
            bytesIn: { type: 'integer' },
            bytesOut: { type: 'integer' },
          },
        },
      },
    },
  };
}
