/**
 * Portals managed at run time, not only from the config file: the node's operators create
 * them and change their names and jurisdiction policies. A portal's own users read their
 * portal (the portal page offers only what its policy allows); to anyone else another
 * portal answers like one that does not exist.
 */
import type { Logger } from '@bsn/contract';
import { isBsnError } from '@bsn/contract';
import { CODE_RE, type PortalJson } from '@bsn/protocol';
import type { Caller } from './auth/authenticator.js';
import { str, type Body } from './body.js';
import { ApiError, invalid, notFound } from './errors.js';
import { policyField } from './jurisdiction.js';
import type { Portal, PortalPatch, Registry } from './registry/registry.js';
import { isOperator, requireOperator } from './roles.js';

const portalJson = (p: Portal): PortalJson => ({ code: p.code, name: p.name, policy: p.policy, createdAt: p.createdAt });

export class Portals {
  constructor(
    private readonly registry: Registry,
    private readonly log: Logger,
  ) {}

  async list(caller: Caller): Promise<PortalJson[]> {
    requireOperator(caller, 'lists portals');
    return (await this.registry.listPortals()).map(portalJson);
  }

  async get(caller: Caller, code: string): Promise<PortalJson> {
    const portal = isOperator(caller) || caller.user.portal === code ? await this.registry.getPortal(code) : null;
    if (!portal) throw notFound('portal-not-found', `no portal ${code}`);
    return portalJson(portal);
  }

  async create(caller: Caller, body: Body): Promise<PortalJson> {
    requireOperator(caller, 'creates portals');
    const code = str(body, 'code', {
      required: true,
      re: CODE_RE,
      what: 'must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit',
    })!;
    const name = str(body, 'name') ?? code;
    const policy = policyField(body);
    try {
      const portal = await this.registry.createPortal({ code, name, ...(policy && { policy }) });
      this.log.info('portal created', { portal: code, by: caller.user.code, policy: portal.policy });
      return portalJson(portal);
    } catch (err) {
      if (isBsnError(err, 'CONFLICT')) throw new ApiError('CONFLICT', 'invalid-field', `portal ${code} exists already`, { field: '/code' });
      throw err;
    }
  }

  async update(caller: Caller, code: string, body: Body): Promise<PortalJson> {
    requireOperator(caller, 'updates portals');
    const patch: PortalPatch = {};
    const name = str(body, 'name');
    if (name !== undefined) patch.name = name;
    const policy = policyField(body);
    if (policy) patch.policy = policy;
    if (!patch.name && !patch.policy) throw invalid('invalid-field', 'give name or policy', '/');
    try {
      const portal = await this.registry.updatePortal(code, patch);
      this.log.info('portal updated', { portal: code, by: caller.user.code, ...patch });
      return portalJson(portal);
    } catch (err) {
      if (isBsnError(err, 'NOT_FOUND')) throw notFound('portal-not-found', `no portal ${code}`);
      throw err;
    }
  }
}
