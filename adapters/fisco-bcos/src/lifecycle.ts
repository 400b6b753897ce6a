import {
  ConflictError,
  RejectedByChainError,
  UnauthorizedError,
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
import { checkMember, checkSigner } from './accounts.js';
import type { ChainContext } from './chain-context.js';
import type { CustomContracts } from './custom-contract/custom-contracts.js';
import { refusePackageWithoutCustomApps } from './custom-contract/without-custom-apps.js';
import { FRAMEWORK } from './framework.js';
import { BYTECODE } from './generated/contracts.js';
import { hexToBytes } from './node/chain-reader.js';
import { accountOf } from './protocol/account.js';

const MODES = ['consortium', 'private'] as const;
const PLACEMENTS = ['shared', 'dedicated'] as const;
/**
 * The app's kind byte (the contracts' `mode`, a uint8 they store and return untouched): the
 * mode's code in the low nibble, the placement's in the high one.
 */
const kindOf = (mode: (typeof MODES)[number], placement: (typeof PLACEMENTS)[number]): number =>
  MODES.indexOf(mode) | (PLACEMENTS.indexOf(placement) << 4);

/**
 * Apps are contracts made by the group's BsnKvRegistry (`createApp`: one transaction, so a
 * refused create leaves nothing behind), each a proxy running the preset implementation. A
 * dedicated app is one too, in the configured group, recorded as dedicated (as on Ethereum, its
 * own contract): giving it a group of its own is an operator's act on a real chain, and the
 * emulator serves one group. The
 * admin is the creator; every change is the admin's, checked here first (no doomed
 * transaction is sent) and enforced by the contract. Changes that change nothing send nothing.
 */
export class FiscoLifecycle implements AppLifecycle {
  constructor(
    private readonly c: ChainContext,
    /** Apps that bring their own contract, where the network has a BsnCustomApps. */
    private readonly custom?: CustomContracts,
  ) {}

  async create(spec: AppSpec, admin: Signer): Promise<AppInfo> {
    if (this.custom && (spec as Partial<AppSpec> | null)?.contract?.kind === 'package') return this.custom.lifecycle.create(spec, admin);
    if (!this.custom) refusePackageWithoutCustomApps((spec as Partial<AppSpec> | null)?.contract, this.c.config.name);
    checkSigner(this.c.suite, admin, '/admin');
    const checked = checkAppSpec(spec, FRAMEWORK, (m, field) => checkMember(this.c.suite, m, field));
    if (await this.custom?.appOf({ appId: checked.appId }))
      throw new ConflictError(`app ${JSON.stringify(checked.appId)} exists already`, { field: '/appId', stage: 'validate' });
    const members = Buffer.concat(checked.members.map((m) => Buffer.from(m.slice(2), 'hex')));
    const input = this.c.calls.registry.encode('createApp', [checked.appId, members, kindOf(checked.mode, checked.placement)]);
    const what = `creating app ${checked.appId}`;
    const receipt = await this.c.txs.signAndSend(this.c.config.registry, input, admin, what, Date.now() + this.c.config.submitTimeoutMs);
    this.c.calls.check(receipt, { what });
    return this.get({ appId: checked.appId });
  }

  async get(app: AppRef): Promise<AppInfo> {
    const { appId } = checkAppRef(app);
    const custom = await this.custom?.appOf(app);
    if (custom) return this.custom!.lifecycle.info(custom);
    const location = await this.c.apps.get(appId);
    const [, admin, frozen, version, mode, createdBlock, implementation, registry, members] = await this.c.calls.view(
      this.c.calls.app,
      location.address,
      'appInfo',
      [],
      `app ${appId}`,
    );
    const memberBytes = hexToBytes(String(members));
    const memberIds: string[] = [];
    for (let i = 0; i < memberBytes.length; i += 20) memberIds.push('0x' + Buffer.from(memberBytes.subarray(i, i + 20)).toString('hex'));
    return {
      appId,
      framework: FRAMEWORK,
      mode: MODES[Number(mode) & 0x0f] ?? 'consortium',
      placement: PLACEMENTS[Number(mode) >> 4] ?? 'shared',
      state: frozen ? 'frozen' : 'active',
      location: {
        network: this.c.config.name,
        chainId: this.c.config.chainId,
        groupId: this.c.config.groupId,
        crypto: this.c.suite.mode,
        address: location.address,
        implementation: String(implementation).toLowerCase(),
        registry: String(registry).toLowerCase(),
        createdBlock: String(createdBlock),
      },
      contract: { kind: 'preset-kv', version: Number(version) },
      admin: String(admin).toLowerCase(),
      members: memberIds,
    };
  }

  async upgrade(app: AppRef, contract: ContractSource, admin: Signer): Promise<AppInfo> {
    const custom = await this.custom?.appOf(app);
    if (custom) return this.custom!.lifecycle.upgrade(custom, contract, admin);
    checkContractSource(contract);
    const info = await this.asAdmin(app, admin);
    const what = `upgrading ${info.appId}`;
    const deadline = Date.now() + this.c.config.submitTimeoutMs;
    const deployed = this.c.calls.check(
      await this.c.txs.signAndSend('', hexToBytes(BYTECODE[this.c.suite.mode].BsnKvApp.bytecode), admin, what, deadline),
      { what },
    );
    if (!deployed.contractAddress)
      throw new RejectedByChainError(`${what}: the new implementation was not deployed`, {
        stage: 'commit',
        txId: deployed.transactionHash,
      });
    return this.change(info, 'upgradeTo', [deployed.contractAddress], admin);
  }

  async addMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const id = checkMember(this.c.suite, member, '/member');
    const custom = await this.custom?.appOf(app);
    if (custom) return this.custom!.lifecycle.setMember(custom, id, true, admin);
    const info = await this.asAdmin(app, admin);
    return info.members.includes(id) ? info : this.change(info, 'addMember', [id], admin);
  }

  async removeMember(app: AppRef, member: ChainAccount, admin: Signer): Promise<AppInfo> {
    const id = checkMember(this.c.suite, member, '/member');
    const custom = await this.custom?.appOf(app);
    if (custom) return this.custom!.lifecycle.setMember(custom, id, false, admin);
    const info = await this.asAdmin(app, admin);
    return info.members.includes(id) ? this.change(info, 'removeMember', [id], admin) : info;
  }

  async freeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    const custom = await this.custom?.appOf(app);
    if (custom) return this.custom!.lifecycle.setFrozen(custom, true, admin);
    const info = await this.asAdmin(app, admin);
    return info.state === 'frozen' ? info : this.change(info, 'freeze', [], admin);
  }

  async unfreeze(app: AppRef, admin: Signer): Promise<AppInfo> {
    const custom = await this.custom?.appOf(app);
    if (custom) return this.custom!.lifecycle.setFrozen(custom, false, admin);
    const info = await this.asAdmin(app, admin);
    return info.state === 'active' ? info : this.change(info, 'unfreeze', [], admin);
  }

  /** The app, once `admin` is its admin: anyone else is refused before anything is sent. */
  private async asAdmin(app: AppRef, admin: Signer): Promise<AppInfo> {
    checkSigner(this.c.suite, admin, '/admin');
    const info = await this.get(app);
    const account = accountOf(this.c.suite, admin.publicKey);
    if (account !== info.admin) {
      throw new UnauthorizedError(`${account} is not the admin of ${info.appId}`, {
        stage: 'validate',
        detail: { framework: FRAMEWORK, message: `NotAdmin(account=${account})`, data: { admin: info.admin } },
      });
    }
    return info;
  }

  private async change(info: AppInfo, fn: string, args: unknown[], admin: Signer): Promise<AppInfo> {
    const what = `${fn} on ${info.appId}`;
    const receipt = await this.c.txs.signAndSend(
      info.location['address']!,
      this.c.calls.app.encode(fn, args),
      admin,
      what,
      Date.now() + this.c.config.submitTimeoutMs,
    );
    this.c.calls.check(receipt, { what });
    return this.get({ appId: info.appId });
  }
}
