import { randomUUID } from 'node:crypto';
import {
  InvalidInputError,
  checkAppRef,
  checkAppSpec,
  checkContractSource,
  type AppInfo,
  type AppLifecycle,
  type AppRef,
  type AppSpec,
  type ChainAccount,
  type ContractSource,
  type Signer,
} from '@bsn/contract';
import { FRAMEWORK } from './framework.js';
import type { NodeClient } from './node-client.js';
import { accountOf, type App, type Operation } from './node-protocol.js';
import type { Transactions } from './transactions.js';

/** A member is an account of this chain whose id is the one its public key makes. */
export function checkMember(member: unknown, field: string): string {
  const m = member as Partial<ChainAccount> | null;
  if (typeof m !== 'object' || m === null)
    throw new InvalidInputError(`${field}: a member is a ChainAccount { framework, algorithm, publicKey, id }`, { field });
  if (m.framework !== undefined && m.framework !== FRAMEWORK)
    throw new InvalidInputError(`${field}/framework: a ${FRAMEWORK} app's members are ${FRAMEWORK} accounts`, {
      field: `${field}/framework`,
    });
  if (
    typeof m.publicKey !== 'string' ||
    typeof m.algorithm !== 'string' ||
    typeof m.id !== 'string' ||
    accountOf(m.algorithm, m.publicKey) !== m.id
  ) {
    throw new InvalidInputError(`${field}/id: is not the account of the public key given`, { field: `${field}/id` });
  }
  return m.id;
}

/**
 * Apps as namespaces of the one ledger: the node keeps each app's admin, members, frozen flag
 * and contract version, and checks them in the transaction that writes.
 */
export class TemplateLifecycle implements AppLifecycle {
  constructor(
    private readonly node: NodeClient,
    private readonly txs: Transactions,
  ) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    const checked = checkAppSpec(spec, FRAMEWORK, checkMember);
    if (checked.placement === 'dedicated') {
      throw new InvalidInputError('/placement: this chain has one ledger: every app is shared', { field: '/placement' });
    }
    await this.operate(
      checked.appId,
      { op: 'createApp', name: checked.name, mode: checked.mode, members: checked.members },
      admin,
      `creating ${checked.appId}`,
    );
    return this.get({ appId: checked.appId });
  }

  async get(app: AppRef): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    const record = await this.node.call<App>('app', { appId }, 'query', `app ${appId}`);
    return {
      appId: record.appId,
      framework: FRAMEWORK,
      mode: record.mode,
      placement: 'shared',
      state: record.frozen ? 'frozen' : 'active',
      location: { node: this.node.url, app: record.appId },
      contract: { kind: 'preset-kv', version: record.version },
      admin: record.admin,
      members: [...new Set([record.admin, ...record.members])],
    };
  }

  upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    checkContractSource(contract);
    return this.change(app, { op: 'upgrade' }, admin);
  }

  addMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    return this.change(app, { op: 'addMember', member: checkMember(member, '/member') }, admin);
  }

  removeMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    return this.change(app, { op: 'removeMember', member: checkMember(member, '/member') }, admin);
  }

  freeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.change(app, { op: 'freeze' }, admin);
  }

  unfreeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    return this.change(app, { op: 'unfreeze' }, admin);
  }

  private async change(app: AppRef, operation: Operation, admin: Signer): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    await this.operate(appId, operation, admin, `${operation.op} on ${appId}`);
    return this.get({ appId });
  }

  /** Lifecycle transactions carry a fresh request id: each is a new transaction. */
  private operate(appId: string, operation: Operation, admin: Signer, what: string) {
    return this.txs.signAndSend(this.txs.body(appId, `lc-${randomUUID()}`, operation), admin, what);
  }
}
