/**
 * Who may act where: users of a portal, apps that are invisible outside their portal, and
 * members, who alone act in an app. Also the chain side of it: each user's chain account on
 * a network, and the signers the node holds (a hosted user's, and its own admin key).
 */
import type { AppInfo, AppSpec, ChainAccount, ContractSource, Logger, Signer } from '@bsn/contract';
import { fromHex, isBsnError } from '@bsn/contract';
import { CODE_RE, type AppJson, type UserJson } from '@bsn/protocol';
import { allowsNetwork, checkJurisdiction } from './jurisdiction.js';
import { userJson } from './users.js';
import type { Caller } from './auth/authenticator.js';
import { publicKeyField, str, type Body } from './body.js';
import { ApiError, invalid, notFound, unauthorized } from './errors.js';
import type { NodeKeys } from './keys.js';
import { Networks, type ConnectedNetwork } from './networks.js';
import type { App, Registry, User } from './registry/registry.js';
import { APP_CODE_RE, APP_CODE_RULE, appKey, localCode } from './app-codes.js';

function appJson(a: App, members?: string[]): AppJson {
  return {
    code: localCode(a),
    portal: a.portal,
    owner: a.owner,
    name: a.name,
    framework: a.framework,
    network: a.network,
    createdAt: a.createdAt,
    chain: a.chain,
    ...(members && { members }),
  };
}

export class Tenancy {
  /** One provisioning per (network, user), shared by concurrent requests; forgotten if it fails. */
  private readonly provisioned = new Map<string, Promise<ChainAccount>>();

  constructor(
    private readonly registry: Registry,
    private readonly networks: Networks,
    private readonly keys: NodeKeys,
    private readonly log: Logger,
  ) {}

  async me(caller: Caller): Promise<UserJson> {
    return userJson(caller.user);
  }

  /** User-key mode: the caller registers the public key of their chain account on a framework. */
  async setChainKey(caller: Caller, framework: string, body: Body): Promise<UserJson> {
    if (caller.user.keyMode !== 'user')
      throw invalid('key-mode', `user ${caller.user.code} is in hosted-key mode: the node derives its chain keys`);
    await this.registry.setChainKey(caller.user.code, framework, publicKeyField(body));
    return userJson((await this.registry.getUser(caller.user.code))!);
  }

  /** The app as the caller may see it: an app of the caller's portal (see app-codes.ts), or NOT_FOUND. */
  async visibleApp(caller: Caller, code: string): Promise<App> {
    if (caller.app && caller.app !== code) {
      throw unauthorized('app-mismatch', `the request was signed for app ${caller.app}, not ${code}`, 'x-bsn-app');
    }
    const app = APP_CODE_RE.test(code) ? await this.registry.getApp(appKey(caller.user.portal, code)) : null;
    if (!app || app.portal !== caller.user.portal) throw notFound('app-not-found', `no app ${code} in portal ${caller.user.portal}`);
    return app;
  }

  /** The app, if the caller is admitted to it, and the network it lives on. */
  async memberApp(caller: Caller, code: string): Promise<{ app: App; network: ConnectedNetwork }> {
    const app = await this.visibleApp(caller, code);
    if (!(await this.registry.isAdmitted(app.code, caller.user.code))) {
      throw unauthorized('not-admitted', `user ${caller.user.code} is not admitted to app ${localCode(app)}`);
    }
    const network = this.networks.byName(app.network);
    const withdrawn = this.networks.withdrawn(app.network);
    if (!network && withdrawn) throw Networks.unavailable(withdrawn);
    if (!network)
      throw new ApiError(
        'UNAVAILABLE',
        'unknown-network',
        `app ${localCode(app)} lives on network ${app.network}, which this node is not connected to`,
      );
    return { app, network };
  }

  async listApps(caller: Caller): Promise<AppJson[]> {
    const apps =
      caller.user.role === 'admin'
        ? await this.registry.listApps(caller.user.portal)
        : await this.registry.listApps(caller.user.portal, caller.user.code);
    return apps.map((a) => appJson(a));
  }

  async getApp(caller: Caller, code: string): Promise<AppJson> {
    const app = await this.visibleApp(caller, code);
    const members = await this.registry.admitted(app.code);
    if (caller.user.role !== 'admin' && !members.includes(caller.user.code)) {
      throw unauthorized('not-admitted', `user ${caller.user.code} is not admitted to app ${localCode(app)}`);
    }
    return appJson(app, members);
  }

  async createApp(caller: Caller, body: Body): Promise<AppJson> {
    const code = str(body, 'code', { required: true, re: APP_CODE_RE, what: APP_CODE_RULE })!;
    const key = appKey(caller.user.portal, code);
    const name = str(body, 'name') ?? code;
    // The portal's jurisdiction, before anything else about the request: what it names, then what the node picks.
    const portal = caller.user.portal;
    const policy = (await this.registry.getPortal(portal))?.policy ?? {};
    const requested = { framework: str(body, 'framework'), network: str(body, 'network') };
    checkJurisdiction(portal, policy, requested);
    const network = this.networks.choose(requested.framework, requested.network, (n) => allowsNetwork(policy, n));
    checkJurisdiction(portal, policy, { framework: network.framework, network: network.name });
    const mode = (str(body, 'mode', { re: /^(private|consortium)$/, what: 'must be private or consortium' }) ??
      'consortium') as AppSpec['mode'];
    const placement = (str(body, 'placement', { re: /^(shared|dedicated)$/, what: 'must be shared or dedicated' }) ??
      'shared') as AppSpec['placement'];
    const contract = (body['contract'] ?? { kind: 'preset-kv' }) as ContractSource;
    if (typeof contract !== 'object' || contract === null || !['preset-kv', 'package', 'custom'].includes(contract.kind)) {
      throw invalid('invalid-field', '/contract must be { kind: "preset-kv" } or { kind: "package", package, call? }', '/contract');
    }
    const memberCodes = body['members'] === undefined ? [] : body['members'];
    if (!Array.isArray(memberCodes) || memberCodes.some((m) => typeof m !== 'string'))
      throw invalid('invalid-field', '/members must be an array of user codes', '/members');
    if (await this.registry.getApp(key)) throw new ApiError('CONFLICT', 'invalid-field', `app ${code} exists already`, { field: '/code' });
    const users = [caller.user, ...(await this.portalUsers(caller, memberCodes as string[]))];
    const members = await Promise.all(users.map((u) => this.accountOf(u, network)));
    const info = await this.createOnChain({ appId: key, name, framework: network.framework, mode, placement, contract, members }, network);
    const app = await this.registry.createApp({
      code: key,
      portal: caller.user.portal,
      owner: caller.user.code,
      name,
      framework: network.framework,
      network: network.name,
      chain: info as unknown as Record<string, unknown>,
    });
    for (const u of users.slice(1)) await this.registry.admit(key, u.code);
    this.log.info('app created', { app: key, portal: app.portal, network: network.name, framework: network.framework });
    return appJson(app, users.map((u) => u.code).sort());
  }

  /** The users `codes` name, each of the caller's portal; the caller is skipped (always a member). */
  private async portalUsers(caller: Caller, codes: string[]): Promise<User[]> {
    const users: User[] = [];
    for (const [i, m] of codes.entries()) {
      if (m === caller.user.code) continue;
      const u = await this.registry.getUser(m);
      if (!u || u.portal !== caller.user.portal)
        throw invalid('invalid-field', `/members/${i}: no user ${m} in portal ${caller.user.portal}`, `/members/${i}`);
      users.push(u);
    }
    return users;
  }

  private async createOnChain(spec: AppSpec, network: ConnectedNetwork): Promise<AppInfo> {
    const admin = this.adminSigner(network);
    try {
      return await network.adapter.lifecycle.create(spec, admin);
    } catch (err) {
      if (!isBsnError(err, 'CONFLICT')) throw err;
      // On the chain but not in the registry: a node stopped between the two. Adopt it if
      // this node administers it; anything else is someone else's app.
      const existing = await network.adapter.lifecycle.get({ appId: spec.appId });
      const ours = await network.adapter.identity.accountFor(admin.publicKey, admin.algorithm);
      if (existing.admin.toLowerCase() !== ours.id.toLowerCase()) {
        throw new ApiError(
          'CONFLICT',
          'invalid-field',
          `app ${localCode({ code: spec.appId, portal: spec.appId.split(':')[0]! })} exists on network ${network.name} under another administrator`,
          {
            field: '/code',
          },
        );
      }
      // Another instance of this fleet creating the same app at the same time got there first: its
      // registry row says so (or will in a moment). Only an app no instance registered is adopted.
      for (let i = 0; i < 20; i++) {
        if (await this.registry.getApp(spec.appId)) {
          throw new ApiError(
            'CONFLICT',
            'invalid-field',
            `app ${localCode({ code: spec.appId, portal: spec.appId.split(':')[0]! })} exists already`,
            {
              field: '/code',
            },
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      this.log.warn('app found on the chain but not in the registry: adopted', { app: spec.appId, network: network.name });
      return existing;
    }
  }

  /** The app's owner (or a portal admin) admits another user of the portal. */
  async admit(caller: Caller, code: string, body: Body): Promise<AppJson> {
    const { app, network } = await this.memberApp(caller, code);
    if (app.owner !== caller.user.code && caller.user.role !== 'admin')
      throw unauthorized('not-app-owner', `only the owner of ${localCode(app)} (${app.owner}) or a portal admin admits users`);
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

  /**
   * Moves the app to new code with the framework's own upgrade, keeping its state: asked by the
   * app's owner or a portal admin, signed by the node's admin key (the app's admin on the chain).
   * The adapter checks the contract; a failed upgrade leaves the old version serving.
   */
  async upgradeApp(caller: Caller, code: string, body: Body): Promise<AppJson> {
    const { app, network } = await this.memberApp(caller, code);
    if (app.owner !== caller.user.code && caller.user.role !== 'admin')
      throw unauthorized('not-app-owner', `only the owner of ${localCode(app)} (${app.owner}) or a portal admin upgrades it`);
    const contract = body['contract'];
    if (typeof contract !== 'object' || contract === null)
      throw invalid('invalid-field', '/contract must be a contract source', '/contract');
    const info = await network.adapter.lifecycle.upgrade({ appId: app.code }, contract as ContractSource, this.adminSigner(network));
    await this.registry.updateAppChain(app.code, info as unknown as Record<string, unknown>);
    return this.getApp(caller, code);
  }

  /** The chain account a user writes with on a network (funded on dev networks). */
  async accountOf(user: User, network: ConnectedNetwork): Promise<ChainAccount> {
    const key = `${network.name}\u0000${user.code}`;
    let pending = this.provisioned.get(key);
    if (!pending) {
      pending = network.adapter.identity.provision(this.accountSigner(user, network));
      this.provisioned.set(key, pending);
      pending.catch(() => this.provisioned.delete(key));
    }
    return pending;
  }

  /** A hosted user's own key; a user-key user's registered public key, which cannot sign here. */
  private accountSigner(user: User, network: ConnectedNetwork): Signer {
    if (user.keyMode === 'hosted') return this.hostedSigner(user, network);
    const chainKey = user.chainKeys[network.framework];
    if (!chainKey)
      throw invalid(
        'key-mode',
        `user ${user.code} (user-key mode) has registered no ${network.framework} key: PUT /v1/users/me/chain-keys/${network.framework}`,
      );
    return {
      algorithm: chainKey.algorithm,
      publicKey: fromHex(chainKey.publicKey),
      signDigest: async () => {
        throw unauthorized('key-mode', 'the node does not hold user keys');
      },
    };
  }

  hostedSigner(user: User, network: ConnectedNetwork): Signer {
    if (user.keyMode !== 'hosted' || !user.hostedIdentity) {
      throw unauthorized(
        'key-mode',
        `user ${user.code} is in user-key mode: prepare the transaction and submit it signed (POST …/transactions/prepare)`,
      );
    }
    return this.keys.userSigner(user.code, user.hostedIdentity, network.framework, network.accountAlgorithm);
  }

  /** The node's own chain key, which administers the apps it creates. */
  private adminSigner(network: ConnectedNetwork): Signer {
    return this.keys.chainSigner(network.framework, network.accountAlgorithm);
  }
}
