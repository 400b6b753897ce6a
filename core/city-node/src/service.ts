/**
 * What the gateway does, independent of REST or gRPC: tenancy checks (an app is invisible
 * outside its portal; a user acts only in apps that admitted them), hosted- and user-key
 * writes through the adapters, idempotency by request id, metering. Both APIs call this with
 * an authenticated Caller and get plain JSON-able results.
 */
import { randomBytes } from 'node:crypto';
import type { ChainAccount, Checkpoint, ChainEvent, PreparedTransaction, Receipt, KeyAlgorithm, Signer, AppSpec, ContractSource, Logger } from '@bsn/contract';
import { isValidPublicKey, canonicalJson, fromBase64, fromHex, toBase64, isBsnError } from '@bsn/contract';
import type { Caller } from './auth/authenticator.js';
import { CODE_RE, sha256Hex, checkpointId, eventJson, receiptJson, textOf, type AppJson, type Arg, type EventJson, type ReceiptJson, type UserJson } from '@bsn/protocol';
export { checkpointId, eventJson, eventSigningData, receiptJson, textOf, type AppJson, type Arg, type EventJson, type ReceiptJson, type UserJson } from '@bsn/protocol';
import { GatewayError, invalid, notFound, unauthorized } from './errors.js';
import type { NodeKeys } from './keys.js';
import type { AppUsage, Metering } from './metering.js';
import type { ConnectedNetwork, Networks } from './networks.js';
import { grantAllows, type App, type Grant, type KeyMode, type Registry, type User, type UserRole } from './registry/registry.js';

const APP_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
export function parseCheckpoint(value: string | undefined, field: string): Checkpoint | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d{1,15}):(\d{1,9})$/.exec(value);
  if (!m) throw invalid('invalid-field', `${field} must be a checkpoint "<block>:<index>" (got ${JSON.stringify(value.slice(0, 40))})`, field);
  return { block: Number(m[1]), index: Number(m[2]) };
}

function argBytes(args: unknown, field = '/args'): Array<string | Uint8Array> {
  if (!Array.isArray(args)) throw invalid('invalid-field', `${field} must be an array of strings or { base64 } objects`, field);
  return args.map((a, i) => {
    if (typeof a === 'string') return a;
    if (typeof a === 'object' && a !== null && typeof (a as { base64?: unknown }).base64 === 'string') {
      try {
        return fromBase64((a as { base64: string }).base64, `${field}/${i}/base64`);
      } catch {
        throw invalid('invalid-field', `${field}/${i}/base64 is not base64`, `${field}/${i}/base64`);
      }
    }
    throw invalid('invalid-field', `${field}/${i} must be a string or { base64 }`, `${field}/${i}`);
  });
}

function str(body: Record<string, unknown>, name: string, opts: { required?: boolean; re?: RegExp; what?: string } = {}): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) {
    if (opts.required) throw invalid('invalid-field', `/${name} is required`, `/${name}`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid('invalid-field', `/${name} must be a string`, `/${name}`);
  if (opts.re && !opts.re.test(v)) throw invalid('invalid-field', `/${name} ${opts.what ?? `must match ${opts.re.source}`}`, `/${name}`);
  return v;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ServiceOptions {
  registry: Registry;
  networks: Networks;
  keys: NodeKeys;
  metering: Metering;
  nodeName: string;
  logger?: Logger;
  now?: () => number;
}

export class NodeService {
  readonly registry: Registry;
  readonly networks: Networks;
  readonly keys: NodeKeys;
  readonly metering: Metering;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly provisioned = new Map<string, Promise<ChainAccount>>();

  constructor(private readonly o: ServiceOptions) {
    this.registry = o.registry;
    this.networks = o.networks;
    this.keys = o.keys;
    this.metering = o.metering;
    this.log = o.logger ?? silent;
    this.now = o.now ?? Date.now;
  }

  // ---------------------------------------------------------------- node

  nodeInfo(): Record<string, unknown> {
    return {
      name: this.o.nodeName,
      key: this.keys.responseSigner.key,
      networks: this.networks.all().map((n) => ({
        name: n.name,
        framework: n.framework,
        plugin: n.plugin,
        certified: n.certified,
        origin: n.origin,
        accountAlgorithm: n.accountAlgorithm,
        capabilities: n.description.capabilities,
        limits: n.description.limits,
      })),
    };
  }

  async ready(): Promise<{ ok: boolean; registry: boolean; networks: Record<string, { ok: boolean; height?: number; error?: string }> }> {
    const registry = await this.registry.ping();
    const networks: Record<string, { ok: boolean; height?: number; error?: string }> = {};
    await Promise.all(this.networks.all().map(async (n) => {
      try {
        const h = await n.adapter.gateway.health();
        networks[n.name] = { ok: h.ok, height: h.height };
      } catch (err) {
        networks[n.name] = { ok: false, error: (err as Error).message };
      }
    }));
    return { ok: registry && Object.values(networks).every((n) => n.ok), registry, networks };
  }

  // ---------------------------------------------------------------- tenancy

  private userJson(u: User): UserJson {
    const chainAccounts: Record<string, string> = {};
    for (const [fw, key] of Object.entries(u.chainKeys)) chainAccounts[fw] = `${key.algorithm}:${key.publicKey}`;
    return { code: u.code, portal: u.portal, algorithm: u.algorithm, publicKey: u.publicKey, keyMode: u.keyMode, role: u.role, chainAccounts };
  }

  async me(caller: Caller): Promise<UserJson> {
    return this.userJson(caller.user);
  }

  /** A portal admin registers a user of the same portal. */
  async createUser(caller: Caller, body: Record<string, unknown>): Promise<UserJson> {
    if (caller.user.role !== 'admin') throw unauthorized('not-portal-admin', `only an admin of portal ${caller.user.portal} registers users`);
    const code = str(body, 'code', { required: true, re: CODE_RE, what: 'must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit' })!;
    const algorithm = str(body, 'algorithm', { required: true, re: /^(secp256k1|secp256r1|sm2)$/, what: 'must be secp256k1, secp256r1 or sm2' }) as KeyAlgorithm;
    const publicKey = str(body, 'publicKey', { required: true, re: /^(0x)?04[0-9a-fA-F]{128}$/, what: 'must be a 65-byte uncompressed public key in hex' })!.replace(/^0x/, '').toLowerCase();
    if (!isValidPublicKey(algorithm, fromHex(publicKey))) throw invalid('invalid-field', `/publicKey is not a point on ${algorithm}`, '/publicKey');
    const keyMode = (str(body, 'keyMode', { re: /^(hosted|user)$/, what: 'must be hosted or user' }) ?? 'hosted') as KeyMode;
    const role = (str(body, 'role', { re: /^(admin|member)$/, what: 'must be admin or member' }) ?? 'member') as UserRole;
    const user = await this.registry.createUser({
      code, portal: caller.user.portal, algorithm, publicKey, keyMode, role, chainKeys: {},
      ...(keyMode === 'hosted' && { hostedIdentity: this.keys.sealNewUser(code) }),
    });
    this.log.info('user registered', { user: code, portal: user.portal, keyMode });
    return this.userJson(user);
  }

  /** User-key mode: the caller registers the public key of their chain account on a framework. */
  async setChainKey(caller: Caller, framework: string, body: Record<string, unknown>): Promise<UserJson> {
    if (caller.user.keyMode !== 'user') throw invalid('key-mode', `user ${caller.user.code} is in hosted-key mode: the node derives its chain keys`);
    const algorithm = str(body, 'algorithm', { required: true, re: /^(secp256k1|secp256r1|sm2)$/, what: 'must be secp256k1, secp256r1 or sm2' }) as KeyAlgorithm;
    const publicKey = str(body, 'publicKey', { required: true, re: /^(0x)?04[0-9a-fA-F]{128}$/, what: 'must be a 65-byte uncompressed public key in hex' })!.replace(/^0x/, '').toLowerCase();
    if (!isValidPublicKey(algorithm, fromHex(publicKey))) throw invalid('invalid-field', `/publicKey is not a point on ${algorithm}`, '/publicKey');
    await this.registry.setChainKey(caller.user.code, framework, { algorithm, publicKey });
    return this.userJson((await this.registry.getUser(caller.user.code))!);
  }

  private appJson(a: App, members?: string[]): AppJson {
    return {
      code: a.code, portal: a.portal, owner: a.owner, name: a.name, framework: a.framework, network: a.network,
      createdAt: a.createdAt, chain: a.chain, ...(members && { members }),
    };
  }

  /** The app as the caller may see it: NOT_FOUND when absent or in another portal (never revealing which). */
  async visibleApp(caller: Caller, code: string): Promise<App> {
    if (caller.app && caller.app !== code) {
      throw unauthorized('app-mismatch', `the request was signed for app ${caller.app}, not ${code}`, 'x-bsn-app');
    }
    const app = CODE_RE.test(code) ? await this.registry.getApp(code) : null;
    if (!app || app.portal !== caller.user.portal) throw notFound('app-not-found', `no app ${code} in portal ${caller.user.portal}`);
    return app;
  }

  /** The app, if the caller is admitted to it. */
  async memberApp(caller: Caller, code: string): Promise<{ app: App; network: ConnectedNetwork }> {
    const app = await this.visibleApp(caller, code);
    if (!(await this.registry.isAdmitted(app.code, caller.user.code))) {
      throw unauthorized('not-admitted', `user ${caller.user.code} is not admitted to app ${app.code}`);
    }
    const network = this.networks.byName(app.network);
    if (!network) throw new GatewayError('UNAVAILABLE', 'unknown-network', `app ${app.code} lives on network ${app.network}, which this node is not connected to`);
    return { app, network };
  }

  async listApps(caller: Caller): Promise<AppJson[]> {
    const apps = caller.user.role === 'admin'
      ? await this.registry.listApps(caller.user.portal)
      : await this.registry.listApps(caller.user.portal, caller.user.code);
    return apps.map((a) => this.appJson(a));
  }

  async getApp(caller: Caller, code: string): Promise<AppJson> {
    const app = await this.visibleApp(caller, code);
    const members = await this.registry.admitted(app.code);
    if (caller.user.role !== 'admin' && !members.includes(caller.user.code)) {
      throw unauthorized('not-admitted', `user ${caller.user.code} is not admitted to app ${app.code}`);
    }
    return this.appJson(app, members);
  }

  /** The chain account a user writes with on a network (funded on dev networks). */
  private async accountOf(user: User, network: ConnectedNetwork): Promise<ChainAccount> {
    const key = `${network.name}\u0000${user.code}`;
    let pending = this.provisioned.get(key);
    if (!pending) {
      pending = (async () => {
        let signer: Signer;
        if (user.keyMode === 'hosted') {
          signer = this.hostedSigner(user, network);
        } else {
          const chainKey = user.chainKeys[network.framework];
          if (!chainKey) throw invalid('key-mode', `user ${user.code} (user-key mode) has registered no ${network.framework} key: PUT /v1/users/me/chain-keys/${network.framework}`);
          const publicKey = fromHex(chainKey.publicKey);
          signer = { algorithm: chainKey.algorithm, publicKey, signDigest: async () => { throw unauthorized('key-mode', 'the node does not hold user keys'); } };
        }
        return network.adapter.identity.provision(signer);
      })();
      this.provisioned.set(key, pending);
      pending.catch(() => this.provisioned.delete(key));
    }
    return pending;
  }

  private hostedSigner(user: User, network: ConnectedNetwork): Signer {
    if (user.keyMode !== 'hosted' || !user.hostedIdentity) {
      throw unauthorized('key-mode', `user ${user.code} is in user-key mode: prepare the transaction and submit it signed (POST …/transactions/prepare)`);
    }
    return this.keys.userSigner(user.code, user.hostedIdentity, network.framework, network.accountAlgorithm);
  }

  private adminSigner(network: ConnectedNetwork): Signer {
    return this.keys.chainSigner(network.framework, network.accountAlgorithm);
  }

  async createApp(caller: Caller, body: Record<string, unknown>): Promise<AppJson> {
    const code = str(body, 'code', { required: true, re: APP_ID_RE, what: 'must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit' })!;
    const name = str(body, 'name') ?? code;
    const network = this.networks.choose(str(body, 'framework'), str(body, 'network'));
    const mode = (str(body, 'mode', { re: /^(private|consortium)$/, what: 'must be private or consortium' }) ?? 'consortium') as AppSpec['mode'];
    const placement = (str(body, 'placement', { re: /^(shared|dedicated)$/, what: 'must be shared or dedicated' }) ?? 'shared') as AppSpec['placement'];
    const contract = (body['contract'] ?? { kind: 'preset-kv' }) as ContractSource;
    if (typeof contract !== 'object' || contract === null || (contract.kind !== 'preset-kv' && contract.kind !== 'custom')) {
      throw invalid('invalid-field', '/contract must be { kind: "preset-kv" } or { kind: "custom", language, files }', '/contract');
    }
    const memberCodes = body['members'] === undefined ? [] : body['members'];
    if (!Array.isArray(memberCodes) || memberCodes.some((m) => typeof m !== 'string')) throw invalid('invalid-field', '/members must be an array of user codes', '/members');
    if (await this.registry.getApp(code)) throw new GatewayError('CONFLICT', 'invalid-field', `app ${code} exists already`, { field: '/code' });
    const users: User[] = [caller.user];
    for (const [i, m] of (memberCodes as string[]).entries()) {
      const u = m === caller.user.code ? undefined : await this.registry.getUser(m);
      if (m === caller.user.code) continue;
      if (!u || u.portal !== caller.user.portal) throw invalid('invalid-field', `/members/${i}: no user ${m} in portal ${caller.user.portal}`, `/members/${i}`);
      users.push(u);
    }
    const members = await Promise.all(users.map((u) => this.accountOf(u, network)));
    const spec: AppSpec = { appId: code, name, framework: network.framework, mode, placement, contract, members };
    const admin = this.adminSigner(network);
    let info;
    try {
      info = await network.adapter.lifecycle.create(spec, admin);
    } catch (err) {
      if (!isBsnError(err, 'CONFLICT')) throw err;
      // On the chain but not in the registry: a node stopped between the two. Adopt it if
      // this node administers it; anything else is someone else's app.
      const existing = await network.adapter.lifecycle.get({ appId: code });
      const ours = await network.adapter.identity.accountFor(admin.publicKey, admin.algorithm);
      if (existing.admin.toLowerCase() !== ours.id.toLowerCase()) {
        throw new GatewayError('CONFLICT', 'invalid-field', `app ${code} exists on network ${network.name} under another administrator`, { field: '/code' });
      }
      this.log.warn('app found on the chain but not in the registry: adopted', { app: code, network: network.name });
      info = existing;
    }
    const app = await this.registry.createApp({
      code, portal: caller.user.portal, owner: caller.user.code, name, framework: network.framework, network: network.name,
      chain: info as unknown as Record<string, unknown>,
    });
    for (const u of users.slice(1)) await this.registry.admit(code, u.code);
    this.log.info('app created', { app: code, portal: app.portal, network: network.name, framework: network.framework });
    return this.appJson(app, users.map((u) => u.code).sort());
  }

  /** The app's owner (or a portal admin) admits another user of the portal. */
  async admit(caller: Caller, code: string, body: Record<string, unknown>): Promise<AppJson> {
    const { app, network } = await this.memberApp(caller, code);
    if (app.owner !== caller.user.code && caller.user.role !== 'admin') throw unauthorized('not-app-owner', `only the owner of ${app.code} (${app.owner}) or a portal admin admits users`);
    const userCode = str(body, 'user', { required: true, re: CODE_RE, what: 'must be a user code' })!;
    const user = await this.registry.getUser(userCode);
    if (!user || user.portal !== app.portal) throw invalid('invalid-field', `/user: no user ${userCode} in portal ${app.portal}`, '/user');
    if (!(await this.registry.isAdmitted(app.code, user.code))) {
      const account = await this.accountOf(user, network);
      const info = await network.adapter.lifecycle.addMember({ appId: app.code }, account, this.adminSigner(network));
      await this.registry.updateAppChain(app.code, info as unknown as Record<string, unknown>);
      await this.registry.admit(app.code, user.code);
    }
    return this.getApp(caller, code);
  }

  // ---------------------------------------------------------------- grants

  /**
   * One side of an app-to-app authorization. `direction: outgoing` — this app (source) may
   * call `peer`; `incoming` — `peer` may call this app. Usable only once both apps granted.
   */
  async grant(caller: Caller, code: string, body: Record<string, unknown>): Promise<Grant & { effective: boolean }> {
    const { app } = await this.memberApp(caller, code);
    if (app.owner !== caller.user.code && caller.user.role !== 'admin') throw unauthorized('not-app-owner', `only the owner of ${app.code} or a portal admin grants`);
    const peer = str(body, 'peer', { required: true, re: CODE_RE, what: 'must be an app code' })!;
    const direction = str(body, 'direction', { required: true, re: /^(incoming|outgoing)$/, what: 'must be incoming or outgoing' })!;
    const methods = body['methods'] ?? [];
    if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string')) throw invalid('invalid-field', '/methods must be an array of method names', '/methods');
    const expiresAt = body['expiresAt'] ?? 0;
    if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt < 0) throw invalid('invalid-field', '/expiresAt must be ms since epoch (0: never)', '/expiresAt');
    // The peer may be in another portal (cross-portal calls are what grants are for); it must exist.
    if (!(await this.registry.getApp(peer))) throw invalid('invalid-field', `/peer: no app ${peer}`, '/peer');
    const [source, target, side] = direction === 'outgoing' ? [app.code, peer, 'source' as const] : [peer, app.code, 'target' as const];
    const g = await this.registry.grant(source, target, side, { by: caller.user.code, at: this.now(), methods: methods as string[], expiresAt });
    return { ...g, effective: grantAllows(g, undefined, this.now()) };
  }

  async revokeGrant(caller: Caller, code: string, peer: string, direction: string): Promise<Grant | null> {
    const { app } = await this.memberApp(caller, code);
    if (app.owner !== caller.user.code && caller.user.role !== 'admin') throw unauthorized('not-app-owner', `only the owner of ${app.code} or a portal admin revokes`);
    if (direction !== 'incoming' && direction !== 'outgoing') throw invalid('invalid-field', 'direction must be incoming or outgoing', '/direction');
    return direction === 'outgoing' ? this.registry.revokeGrant(app.code, peer, 'source') : this.registry.revokeGrant(peer, app.code, 'target');
  }

  async listGrants(caller: Caller, code: string): Promise<Array<Grant & { effective: boolean }>> {
    const { app } = await this.memberApp(caller, code);
    return (await this.registry.listGrants(app.code)).map((g) => ({ ...g, effective: grantAllows(g, undefined, this.now()) }));
  }

  /** Whether `source` may call `method` on `target` now (what cross-chain delivery will check). */
  async grantAllows(source: string, target: string, method?: string): Promise<boolean> {
    return grantAllows(await this.registry.getGrant(source, target), method, this.now());
  }

  // ---------------------------------------------------------------- writes

  private checkRequestId(requestId: string | undefined, caller: Caller): string {
    const id = requestId || `n-${caller.nonce}`;
    if (!REQUEST_ID_RE.test(id)) throw invalid('invalid-field', 'the request id must be 1-128 of A-Z a-z 0-9 . _ : -', '/requestId');
    return id;
  }

  /** Runs a hosted write once per (app, request id): a repeat answers with the stored receipt. */
  private async idempotent(app: App, caller: Caller, requestId: string, content: unknown, write: () => Promise<Receipt>, storageBytes: number): Promise<ReceiptJson> {
    const contentHash = sha256Hex(canonicalJson({ user: caller.user.code, content }));
    const stored = await this.registry.getReceipt(app.code, requestId);
    if (stored) {
      if (stored.contentHash !== contentHash) {
        throw new GatewayError('CONFLICT', 'request-id-reused', `request id ${requestId} was used for a different request in app ${app.code}`, { field: '/requestId' });
      }
      return stored.receipt as unknown as ReceiptJson;
    }
    const receipt = receiptJson(await write());
    const kept = await this.registry.putReceipt({ app: app.code, requestId, contentHash, receipt: receipt as unknown as Record<string, unknown> });
    this.metering.record(app.code, { txs: 1, storageBytes });
    return kept.receipt as unknown as ReceiptJson;
  }

  async kvPut(caller: Caller, code: string, key: string, value: Uint8Array, requestId?: string): Promise<ReceiptJson> {
    const { app, network } = await this.memberApp(caller, code);
    const signer = this.hostedSigner(caller.user, network);
    if (value.length === 0) throw invalid('invalid-field', 'the value is empty (send the bytes as the request body)', '/value');
    const id = this.checkRequestId(requestId, caller);
    await this.accountOf(caller.user, network);
    return this.idempotent(app, caller, id, { op: 'kv.put', key, value: toBase64(value) },
      () => network.adapter.kv.put({ app: { appId: app.code }, key, value, requestId: id }, signer),
      Buffer.byteLength(key) + value.length);
  }

  async kvDelete(caller: Caller, code: string, key: string, requestId?: string): Promise<ReceiptJson> {
    const { app, network } = await this.memberApp(caller, code);
    const signer = this.hostedSigner(caller.user, network);
    const id = this.checkRequestId(requestId, caller);
    await this.accountOf(caller.user, network);
    return this.idempotent(app, caller, id, { op: 'kv.delete', key },
      () => network.adapter.kv.delete({ app: { appId: app.code }, key, requestId: id }, signer), Buffer.byteLength(key));
  }

  async submit(caller: Caller, code: string, body: Record<string, unknown>): Promise<ReceiptJson> {
    const { app, network } = await this.memberApp(caller, code);
    const signer = this.hostedSigner(caller.user, network);
    const method = str(body, 'method', { required: true })!;
    const args = argBytes(body['args'] ?? []);
    const id = this.checkRequestId(str(body, 'requestId'), caller);
    await this.accountOf(caller.user, network);
    const size = args.reduce((n, a) => n + (typeof a === 'string' ? Buffer.byteLength(a) : a.length), 0);
    return this.idempotent(app, caller, id, { op: 'submit', method, args: body['args'] ?? [] },
      () => network.adapter.gateway.submit({ app: { appId: app.code }, method, args, requestId: id }, signer), size);
  }

  /** User-key mode, step one: the node builds the transaction; the client signs `digest`. */
  async prepare(caller: Caller, code: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { app, network } = await this.memberApp(caller, code);
    if (caller.user.keyMode !== 'user') throw invalid('key-mode', `user ${caller.user.code} is in hosted-key mode: submit directly`);
    const method = str(body, 'method', { required: true })!;
    const args = argBytes(body['args'] ?? []);
    const id = this.checkRequestId(str(body, 'requestId'), caller);
    const account = await this.accountOf(caller.user, network);
    const prepared = await network.adapter.gateway.prepare(
      { app: { appId: app.code }, method, args, requestId: id },
      { publicKey: fromHex(account.publicKey.length === 128 ? `04${account.publicKey}` : account.publicKey), algorithm: account.algorithm },
    );
    const preparedId = `p-${randomBytes(12).toString('hex')}`;
    const contentHash = sha256Hex(canonicalJson({ user: caller.user.code, content: { op: 'submit', method, args: body['args'] ?? [] } }));
    const stored = { ...prepared, request: { ...prepared.request, args: prepared.request.args.map((a) => (typeof a === 'string' ? a : { base64: toBase64(a) })) } };
    await this.registry.putPrepared({ id: preparedId, app: app.code, user: caller.user.code, contentHash, prepared: stored as unknown as Record<string, unknown>, expiresAt: prepared.expiresAt });
    return { preparedId, requestId: id, algorithm: prepared.algorithm, publicKey: prepared.publicKey, digest: prepared.digest, expiresAt: prepared.expiresAt };
  }

  /** User-key mode, step two: relay the client's signature and wait for finality. */
  async submitPrepared(caller: Caller, code: string, preparedId: string, body: Record<string, unknown>): Promise<ReceiptJson> {
    const { app, network } = await this.memberApp(caller, code);
    const record = await this.registry.getPrepared(preparedId);
    if (!record || record.app !== app.code || record.user !== caller.user.code) throw notFound('not-found', `no prepared transaction ${preparedId} of yours in app ${app.code}`);
    if (record.expiresAt < this.now()) throw new GatewayError('CONFLICT', 'prepared-expired', `prepared transaction ${preparedId} expired at ${new Date(record.expiresAt).toISOString()}: prepare it again`);
    const signature = str(body, 'signature', { required: true, re: /^(0x)?[0-9a-fA-F]{128}$/, what: 'must be r‖s, 64 bytes of hex' })!;
    const recovery = body['recovery'];
    if (recovery !== undefined && recovery !== 0 && recovery !== 1) throw invalid('invalid-field', '/recovery must be 0 or 1', '/recovery');
    const raw = record.prepared as unknown as PreparedTransaction & { request: { args: Arg[] } };
    const prepared: PreparedTransaction = { ...raw, request: { ...raw.request, args: argBytes(raw.request.args, '/prepared/args') } };
    const requestId = prepared.request.requestId;
    const size = prepared.request.args.reduce((n, a) => n + (typeof a === 'string' ? Buffer.byteLength(a) : a.length), 0);
    const result = await this.idempotentPrepared(app, record.contentHash, requestId, () => network.adapter.gateway.submitPrepared(prepared, {
      compact: fromHex(signature.replace(/^0x/, '')), ...(recovery !== undefined && { recovery: recovery as number }),
    }), size);
    await this.registry.deletePrepared(preparedId);
    return result;
  }

  private async idempotentPrepared(app: App, contentHash: string, requestId: string, write: () => Promise<Receipt>, storageBytes: number): Promise<ReceiptJson> {
    const stored = await this.registry.getReceipt(app.code, requestId);
    if (stored) return stored.receipt as unknown as ReceiptJson;
    const receipt = receiptJson(await write());
    const kept = await this.registry.putReceipt({ app: app.code, requestId, contentHash, receipt: receipt as unknown as Record<string, unknown> });
    this.metering.record(app.code, { txs: 1, storageBytes });
    return kept.receipt as unknown as ReceiptJson;
  }

  // ---------------------------------------------------------------- reads

  async kvGet(caller: Caller, code: string, key: string): Promise<Record<string, unknown>> {
    const { app, network } = await this.memberApp(caller, code);
    const entry = await network.adapter.kv.get({ appId: app.code }, key);
    this.metering.record(app.code, { reads: 1 });
    if (!entry) throw notFound('not-found', `key ${JSON.stringify(key)} is not set in app ${app.code}`);
    const text = textOf(entry.value);
    return { key: entry.key, value: toBase64(entry.value), ...(text !== undefined && { valueText: text }), txId: entry.txId, block: entry.block };
  }

  async kvHistory(caller: Caller, code: string, key: string): Promise<Record<string, unknown>> {
    const { app, network } = await this.memberApp(caller, code);
    const history = await network.adapter.kv.history({ appId: app.code }, key);
    this.metering.record(app.code, { reads: 1 });
    return {
      key,
      entries: history.map((h) => {
        const text = h.value === null ? undefined : textOf(h.value);
        return { txId: h.txId, block: h.block, timestamp: h.timestamp, value: h.value === null ? null : toBase64(h.value), ...(text !== undefined && { valueText: text }), deleted: h.value === null };
      }),
    };
  }

  async kvList(caller: Caller, code: string, prefix: string, limit?: number, cursor?: string): Promise<Record<string, unknown>> {
    const { app, network } = await this.memberApp(caller, code);
    const page = await network.adapter.kv.list({ appId: app.code }, prefix, { ...(limit !== undefined && { limit }), ...(cursor && { cursor }) });
    this.metering.record(app.code, { reads: 1 });
    return {
      entries: page.entries.map((e) => {
        const text = textOf(e.value);
        return { key: e.key, value: toBase64(e.value), ...(text !== undefined && { valueText: text }), txId: e.txId, block: e.block };
      }),
      ...(page.cursor && { cursor: page.cursor }),
    };
  }

  async evaluate(caller: Caller, code: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { app, network } = await this.memberApp(caller, code);
    const method = str(body, 'method', { required: true })!;
    const args = argBytes(body['args'] ?? []);
    const r = await network.adapter.gateway.evaluate({ app: { appId: app.code }, method, args });
    this.metering.record(app.code, { reads: 1 });
    const text = textOf(r.result);
    return { result: toBase64(r.result), ...(text !== undefined && { resultText: text }), ...(r.block !== undefined && { block: r.block }) };
  }

  /** Ordered, gap-free events of the app after `after`, until `signal` aborts. */
  async events(caller: Caller, code: string, after: Checkpoint | undefined, name: string | undefined, signal: AbortSignal): Promise<AsyncIterable<ChainEvent>> {
    const { app, network } = await this.memberApp(caller, code);
    return network.adapter.gateway.events({ app: { appId: app.code }, ...(after && { after }), ...(name && { name }), signal });
  }

  async usage(caller: Caller, code: string): Promise<AppUsage> {
    const { app } = await this.memberApp(caller, code);
    return this.metering.usage(app.code);
  }

  /**
   * Bandwidth accounting, by the transport, after a successful request about `app` (so the
   * app exists and the caller may see it: no second look-up).
   */
  recordBandwidth(app: string | undefined, bytesIn: number, bytesOut: number): void {
    if (app) this.metering.record(app, { bytesIn, bytesOut });
  }

}
