/**
 * One preset write, hosted-key or relayed: the contract's action, sent and final, as a receipt.
 * A request id the contract has executed already (`bsn:duplicate`) answers with the first
 * transaction's receipt; one used with other content is ConflictError from the contract.
 */
import { isBsnError, whatOf, type Receipt, type Signer, type WritePlan } from '@bsn/contract';
import type { PackedAction } from './antelope/index.js';
import { accountNameOf } from './accounts.js';
import type { AppRegistry, LocatedApp } from './apps.js';
import type { ContractAbis } from './contract-abis.js';
import type { ContractTables } from './contract-tables.js';
import { contractRefusal, toBsnError } from './errors.js';
import { presetAction } from './preset-actions.js';
import { receiptOf } from './receipts.js';
import type { Final, Transactions } from './transactions.js';

export class PresetWrites {
  constructor(
    readonly txs: Transactions,
    readonly apps: AppRegistry,
    readonly abis: ContractAbis,
    private readonly tables: ContractTables,
  ) {}

  /** The app and the action `plan` makes for `sender`. */
  async action(plan: WritePlan, sender: string): Promise<{ app: LocatedApp; action: PackedAction }> {
    const app = await this.apps.locate(plan.appId);
    return { app, action: presetAction(app, plan, sender, await this.abis.of(app.account)) };
  }

  /** Hosted-key mode: the signer's account writes. */
  async write(plan: WritePlan, signer: Signer): Promise<Receipt> {
    const { app, action } = await this.action(plan, accountNameOf(signer.algorithm, signer.publicKey));
    return this.finish(plan, app, () => this.txs.submit([action], signer, { what: whatOf(plan) }, plan.timeoutMs));
  }

  /** Runs `send` and makes its receipt, or the earlier receipt when the request id was executed already. */
  async finish(plan: WritePlan, app: LocatedApp, send: () => Promise<Final>): Promise<Receipt> {
    let final: Final;
    try {
      final = await send();
    } catch (error) {
      if (isBsnError(error) && contractRefusal(error.cause)?.tag === 'duplicate') return this.earlier(plan, app);
      throw error;
    }
    return receiptOf(final, plan.requestId, app, await this.abis.of(app.account));
  }

  /** The receipt of the transaction that executed `plan.requestId` first. */
  private async earlier(plan: WritePlan, app: LocatedApp): Promise<Receipt> {
    let row;
    try {
      row = await this.tables.request(app, plan.requestId);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: whatOf(plan) });
    }
    if (!row) throw new Error(`the contract says request ${plan.requestId} was executed, but its record is missing`);
    const final = await this.txs.finalOf(row.txid, { what: `${whatOf(plan)} (request executed earlier)` }, plan.timeoutMs);
    return receiptOf(final, plan.requestId, app, await this.abis.of(app.account));
  }
}
