/**
 * Users of a portal, managed at run time: a portal's admins register users of their portal;
 * the node's operators register and update users of any portal, and alone give the operator
 * role (an admin who could would make themselves the node's operator).
 */
import type { Logger } from '@bsn/contract';
import { isBsnError } from '@bsn/contract';
import { CODE_RE, type UserJson } from '@bsn/protocol';
import type { Caller } from './auth/authenticator.js';
import { publicKeyField, str, type Body } from './body.js';
import { ApiError, invalid, notFound } from './errors.js';
import type { NodeKeys } from './keys.js';
import type { KeyMode, Registry, User, UserPatch, UserRole } from './registry/registry.js';
import { isOperator, requireOperator, requirePortalAdmin } from './roles.js';

const CODE_RULE = 'must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit';
const ROLE_RE = /^(operator|admin|member)$/;

export function userJson(u: User): UserJson {
  const chainAccounts: Record<string, string> = {};
  for (const [fw, key] of Object.entries(u.chainKeys)) chainAccounts[fw] = `${key.algorithm}:${key.publicKey}`;
  return {
    code: u.code,
    portal: u.portal,
    algorithm: u.algorithm,
    publicKey: u.publicKey,
    keyMode: u.keyMode,
    role: u.role,
    chainAccounts,
  };
}

export class Users {
  constructor(
    private readonly registry: Registry,
    private readonly keys: NodeKeys,
    private readonly log: Logger,
  ) {}

  /** Registers a user of `portal`: by an admin of that portal or an operator. */
  async create(caller: Caller, portal: string, body: Body): Promise<UserJson> {
    requirePortalAdmin(caller, portal, 'registers its users');
    const code = str(body, 'code', { required: true, re: CODE_RE, what: CODE_RULE })!;
    const { algorithm, publicKey } = publicKeyField(body);
    const keyMode = (str(body, 'keyMode', { re: /^(hosted|user)$/, what: 'must be hosted or user' }) ?? 'hosted') as KeyMode;
    const role = (str(body, 'role', { re: ROLE_RE, what: 'must be operator, admin or member' }) ?? 'member') as UserRole;
    if (role === 'operator') requireOperator(caller, 'gives the operator role');
    await this.portalOrNotFound(portal);
    let user: User;
    try {
      user = await this.registry.createUser({
        code,
        portal,
        algorithm,
        publicKey,
        keyMode,
        role,
        chainKeys: {},
        ...(keyMode === 'hosted' && { hostedIdentity: this.keys.sealNewUser(code) }),
      });
    } catch (err) {
      // User codes are node-wide (they sign requests): say which field, not which portal has it.
      if (isBsnError(err, 'CONFLICT')) throw new ApiError('CONFLICT', 'invalid-field', `user ${code} exists already`, { field: '/code' });
      throw err;
    }
    this.log.info('user registered', { user: code, portal, keyMode, role, by: caller.user.code });
    return userJson(user);
  }

  /** Users of `portal`: for its admins and the operators. */
  async list(caller: Caller, portal: string): Promise<UserJson[]> {
    requirePortalAdmin(caller, portal, 'lists its users');
    await this.portalOrNotFound(portal);
    return (await this.registry.listUsers(portal)).map(userJson);
  }

  /** A new role or request-signing key for a user of `portal` (operators only). */
  async update(caller: Caller, portal: string, code: string, body: Body): Promise<UserJson> {
    requireOperator(caller, 'updates users');
    const patch: UserPatch = {};
    const role = str(body, 'role', { re: ROLE_RE, what: 'must be operator, admin or member' });
    if (role) patch.role = role as UserRole;
    if (body['publicKey'] !== undefined || body['algorithm'] !== undefined) Object.assign(patch, publicKeyField(body));
    if (Object.keys(patch).length === 0) throw invalid('invalid-field', 'give role, or algorithm and publicKey', '/');
    const user = await this.registry.getUser(code);
    if (!user || user.portal !== portal) throw notFound('not-found', `no user ${code} in portal ${portal}`);
    if (code === caller.user.code && patch.role && patch.role !== 'operator' && isOperator(caller))
      throw invalid('invalid-field', 'an operator cannot take the operator role from themselves (another operator can)', '/role');
    const updated = await this.registry.updateUser(code, patch);
    this.log.info('user updated', {
      user: code,
      portal,
      by: caller.user.code,
      ...(patch.role && { role: patch.role }),
      key: !!patch.publicKey,
    });
    return userJson(updated);
  }

  private async portalOrNotFound(portal: string): Promise<void> {
    if (!(await this.registry.getPortal(portal))) throw notFound('portal-not-found', `no portal ${portal}`);
  }
}
