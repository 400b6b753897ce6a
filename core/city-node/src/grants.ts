/**
 * App-to-app authorizations. Each app's owner grants its own side; a grant is usable only
 * once both sides agreed, so neither app can open a path into the other alone.
 */
import { CODE_RE } from '@bsn/protocol';

/** `<code>` or `<portal>:<code>`. */
const PEER_RE = new RegExp(`^(${CODE_RE.source.slice(1, -1)}:)?${CODE_RE.source.slice(1, -1)}$`);
import type { Caller } from './auth/authenticator.js';
import { str, type Body } from './body.js';
import { invalid, unauthorized } from './errors.js';
import { grantPeerKey, localCode } from './app-codes.js';
import { grantAllows, type Grant, type Registry } from './registry/registry.js';
import type { Tenancy } from './tenancy.js';

export type GrantJson = Grant & { effective: boolean };

export class Grants {
  constructor(
    private readonly registry: Registry,
    private readonly tenancy: Tenancy,
    private readonly now: () => number,
    /** Told of every grant change (interchain: writes the grant on the apps' chains). */
    private readonly onChange?: (grant: Grant) => Promise<void>,
  ) {}

  /**
   * One side of an app-to-app authorization. `direction: outgoing` — this app (source) may
   * call `peer`; `incoming` — `peer` may call this app.
   */
  async grant(caller: Caller, code: string, body: Body): Promise<GrantJson> {
    const { app } = await this.tenancy.memberApp(caller, code);
    if (app.owner !== caller.user.code && caller.user.role !== 'admin')
      throw unauthorized('not-app-owner', `only the owner of ${localCode(app)} or a portal admin grants`);
    const peerName = str(body, 'peer', {
      required: true,
      re: PEER_RE,
      what: 'must be an app code, or <portal>:<code> for an app of another portal',
    })!;
    const peer = grantPeerKey(caller.user.portal, peerName);
    const direction = str(body, 'direction', { required: true, re: /^(incoming|outgoing)$/, what: 'must be incoming or outgoing' })!;
    const methods = body['methods'] ?? [];
    if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string'))
      throw invalid('invalid-field', '/methods must be an array of method names', '/methods');
    const expiresAt = body['expiresAt'] ?? 0;
    if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt < 0)
      throw invalid('invalid-field', '/expiresAt must be ms since epoch (0: never)', '/expiresAt');
    // The peer may be in another portal (cross-portal calls are what grants are for). Whether it
    // exists is not checked, nor told: a grant is one side, usable only once the peer's owner grants too.
    const [source, target, side] = direction === 'outgoing' ? [app.code, peer, 'source' as const] : [peer, app.code, 'target' as const];
    const g = await this.registry.grant(source, target, side, {
      by: caller.user.code,
      at: this.now(),
      methods: methods as string[],
      expiresAt,
    });
    await this.onChange?.(g);
    return { ...g, effective: grantAllows(g, undefined, this.now()) };
  }

  async revokeGrant(caller: Caller, code: string, peer: string, direction: string): Promise<Grant | null> {
    const { app } = await this.tenancy.memberApp(caller, code);
    if (app.owner !== caller.user.code && caller.user.role !== 'admin')
      throw unauthorized('not-app-owner', `only the owner of ${localCode(app)} or a portal admin revokes`);
    if (direction !== 'incoming' && direction !== 'outgoing')
      throw invalid('invalid-field', 'direction must be incoming or outgoing', '/direction');
    const peerKey = grantPeerKey(caller.user.portal, peer);
    const g =
      direction === 'outgoing'
        ? await this.registry.revokeGrant(app.code, peerKey, 'source')
        : await this.registry.revokeGrant(peerKey, app.code, 'target');
    if (g) await this.onChange?.(g);
    return g;
  }

  async listGrants(caller: Caller, code: string): Promise<GrantJson[]> {
    const { app } = await this.tenancy.memberApp(caller, code);
    return (await this.registry.listGrants(app.code)).map((g) => ({ ...g, effective: grantAllows(g, undefined, this.now()) }));
  }

  /** Whether `source` may call `method` on `target` now (what cross-chain delivery will check). */
  async grantAllows(source: string, target: string, method?: string): Promise<boolean> {
    return grantAllows(await this.registry.getGrant(source, target), method, this.now());
  }
}
