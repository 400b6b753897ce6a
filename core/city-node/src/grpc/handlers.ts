/**
 * One handler per unary RPC: the request message as the service's call, the service's
 * result as the response message. Signing, metering and error answers are the caller's
 * (see calls.ts), so each handler is only this translation.
 */
import type { Caller } from '../auth/authenticator.js';
import { invalid } from '../errors.js';
import type { GatewayService } from '../gateway-service.js';
import { appMsg, argsOf, bytesOf, grantMsg, optional, portalMsg, receiptMsg, userMsg, type Msg } from './messages.js';

export type UnaryHandler = (service: GatewayService, caller: Caller, request: Msg) => Promise<Msg>;

/** RPCs answered without credentials (the caller learns the node key from GetNode). */
export const OPEN_RPCS: ReadonlySet<string> = new Set(['GetNode']);

async function getNode(service: GatewayService): Promise<Msg> {
  const info = service.nodeInfo();
  const key = info['key'] as { algorithm: string; publicKey: string; keyId: string };
  return {
    name: info['name'],
    keyAlgorithm: key.algorithm,
    publicKey: key.publicKey,
    keyId: key.keyId,
    networksJson: JSON.stringify(info['networks']),
  };
}

async function createApp(service: GatewayService, caller: Caller, r: Msg): Promise<Msg> {
  let contract: unknown;
  if (optional(r['contractJson'])) {
    try {
      contract = JSON.parse(r['contractJson'] as string);
    } catch {
      throw invalid('malformed-body', 'contract_json is not JSON', '/contract_json');
    }
  }
  const body: Msg = {
    code: r['code'],
    ...(optional(r['name']) && { name: r['name'] }),
    ...(optional(r['framework']) && { framework: r['framework'] }),
    ...(optional(r['network']) && { network: r['network'] }),
    ...(optional(r['mode']) && { mode: r['mode'] }),
    ...(optional(r['placement']) && { placement: r['placement'] }),
    members: r['members'] ?? [],
    ...(contract !== undefined && { contract }),
  };
  return appMsg(await service.createApp(caller, body));
}

async function kvGet(service: GatewayService, caller: Caller, r: Msg): Promise<Msg> {
  const e = await service.kvGet(caller, String(r['app']), String(r['key']));
  return { key: e['key'], value: bytesOf(e['value']), txId: e['txId'], block: e['block'] };
}

async function kvHistory(service: GatewayService, caller: Caller, r: Msg): Promise<Msg> {
  const h = await service.kvHistory(caller, String(r['app']), String(r['key']));
  return {
    key: h['key'],
    entries: (h['entries'] as Msg[]).map((e) => ({
      txId: e['txId'],
      block: e['block'],
      timestamp: e['timestamp'],
      value: e['value'] ? bytesOf(e['value']) : Buffer.alloc(0),
      deleted: e['deleted'],
    })),
  };
}

async function kvList(service: GatewayService, caller: Caller, r: Msg): Promise<Msg> {
  const p = await service.kvList(
    caller,
    String(r['app']),
    String(r['prefix'] ?? ''),
    (r['limit'] as number) || undefined,
    optional(r['cursor']),
  );
  return {
    entries: (p['entries'] as Msg[]).map((e) => ({ key: e['key'], value: bytesOf(e['value']), txId: e['txId'], block: e['block'] })),
    cursor: p['cursor'] ?? '',
  };
}

async function evaluate(service: GatewayService, caller: Caller, r: Msg): Promise<Msg> {
  const e = await service.evaluate(caller, String(r['app']), { method: r['method'], args: argsOf(r['args']) });
  return { result: bytesOf(e['result']), block: e['block'] ?? 0 };
}

/** `policy_json` as the body's `policy` (empty: not given). */
function portalBody(r: Msg): Msg {
  const policy = optional(r['policyJson']);
  let parsed: unknown;
  if (policy !== undefined) {
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw invalid('malformed-body', 'policy_json is not JSON', '/policy_json');
    }
  }
  return {
    ...(optional(r['code']) && { code: r['code'] }),
    ...(optional(r['name']) && { name: r['name'] }),
    ...(parsed !== undefined && { policy: parsed }),
  };
}

/** A portal user request as the body of CreatePortalUser and UpdatePortalUser (empty strings: not given). */
function portalUserBody(r: Msg): Msg {
  const body: Msg = {};
  for (const field of ['code', 'algorithm', 'publicKey', 'keyMode', 'role']) if (optional(r[field])) body[field] = r[field];
  return body;
}

/** An invocation message as the body of Submit and Prepare. */
function invocation(r: Msg): Msg {
  return { method: r['method'], args: argsOf(r['args']), ...(optional(r['requestId']) && { requestId: r['requestId'] }) };
}

export const UNARY_HANDLERS: Record<string, UnaryHandler> = {
  GetNode: getNode,
  CreateApp: createApp,
  ListApps: async (s, c) => ({ apps: (await s.listApps(c)).map(appMsg) }),
  GetApp: async (s, c, r) => appMsg(await s.getApp(c, String(r['app']))),
  KvPut: async (s, c, r) =>
    receiptMsg(await s.kvPut(c, String(r['app']), String(r['key']), new Uint8Array(r['value'] as Buffer), optional(r['requestId']))),
  KvDelete: async (s, c, r) => receiptMsg(await s.kvDelete(c, String(r['app']), String(r['key']), optional(r['requestId']))),
  KvGet: kvGet,
  KvHistory: kvHistory,
  KvList: kvList,
  Submit: async (s, c, r) => receiptMsg(await s.submit(c, String(r['app']), invocation(r))),
  Evaluate: evaluate,
  Prepare: async (s, c, r) => ({ ...(await s.prepare(c, String(r['app']), invocation(r))) }),
  SubmitPrepared: async (s, c, r) =>
    receiptMsg(
      await s.submitPrepared(c, String(r['app']), String(r['preparedId']), {
        signature: r['signature'],
        ...(r['hasRecovery'] ? { recovery: r['recovery'] } : {}),
      }),
    ),
  Usage: async (s, c, r) => ({ ...(await s.usage(c, String(r['app']))) }),
  Me: async (s, c) => userMsg(await s.me(c)),
  CreateUser: async (s, c, r) =>
    userMsg(
      await s.createUser(c, {
        code: r['code'],
        algorithm: r['algorithm'],
        publicKey: r['publicKey'],
        ...(optional(r['keyMode']) && { keyMode: r['keyMode'] }),
        ...(optional(r['role']) && { role: r['role'] }),
      }),
    ),
  SetChainKey: async (s, c, r) =>
    userMsg(await s.setChainKey(c, String(r['framework']), { algorithm: r['algorithm'], publicKey: r['publicKey'] })),
  AdmitUser: async (s, c, r) => appMsg(await s.admit(c, String(r['app']), { user: r['user'] })),
  Grant: async (s, c, r) =>
    grantMsg(
      await s.grant(c, String(r['app']), {
        peer: r['peer'],
        direction: r['direction'],
        methods: r['methods'] ?? [],
        expiresAt: Number(r['expiresAt'] ?? 0),
      }),
    ),
  ListGrants: async (s, c, r) => ({ grants: (await s.listGrants(c, String(r['app']))).map(grantMsg) }),
  ListPortals: async (s, c) => ({ portals: (await s.listPortals(c)).map(portalMsg) }),
  GetPortal: async (s, c, r) => portalMsg(await s.getPortal(c, String(r['portal']))),
  CreatePortal: async (s, c, r) => portalMsg(await s.createPortal(c, { code: r['code'], ...portalBody(r) })),
  UpdatePortal: async (s, c, r) => portalMsg(await s.updatePortal(c, String(r['code']), portalBody(r))),
  ListPortalUsers: async (s, c, r) => ({ users: (await s.listPortalUsers(c, String(r['portal']))).map(userMsg) }),
  CreatePortalUser: async (s, c, r) => userMsg(await s.createPortalUser(c, String(r['portal']), portalUserBody(r))),
  UpdatePortalUser: async (s, c, r) => {
    const { code, ...patch } = portalUserBody(r);
    return userMsg(await s.updatePortalUser(c, String(r['portal']), String(code ?? ''), patch));
  },
  OperatorOverview: async (s, c) => ({ overviewJson: JSON.stringify(await s.operatorOverview(c)) }),
  SendCall: async (s, c, r) =>
    callMsg(
      await s.interchain().send(c, String(r['app']), {
        dstChain: r['dstChain'],
        dstApp: r['dstApp'],
        method: r['method'],
        payload: r['payload'],
        timeout: Number(r['timeout'] ?? 0),
      }),
    ),
  GetCall: async (s, c, r) => callMsg(await s.interchain().get(c, String(r['app']), String(r['packetId']))),
  ListCalls: async (s, c, r) => ({ calls: (await s.interchain().list(c, String(r['app']))).map(callMsg) }),
};

const callMsg = (call: { packetId: string; state: string }): Msg => ({
  packetId: call.packetId,
  state: call.state,
  callJson: JSON.stringify(call),
});
