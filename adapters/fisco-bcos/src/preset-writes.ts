import { ConflictError, UnavailableError, deadlineOf, whatOf, type Receipt, type Signer, type WritePlan } from '@bsn/contract';
import type { AppLocation } from './app-directory.js';
import type { ChainContext } from './chain-context.js';
import type { DecodedRevert } from './contracts/chain-abi.js';
import { toBsnError } from './errors.js';
import { hexToBytes } from './node/chain-reader.js';
import type { ReceiptJson } from './node/node-json.js';
import { accountOf } from './protocol/account.js';
import { concat, utf8Bytes } from './protocol/big-endian.js';
import { receiptOf } from './receipts.js';

/**
 * Preset writes (put, delete) and their request-id idempotency. The app contract records each
 * request key (the chain's hash of the request id) with H(sender ‖ calldata)[:24] and the block
 * that executed it, and refuses it a second time with RequestAlreadyExecuted carrying that
 * record. A write therefore simply sends; a refusal for a known request key is resolved here:
 * the same content is answered with the first transaction's receipt (found by the
 * RequestExecuted log in the recorded block), other content is ConflictError.
 */
export class PresetWrites {
  constructor(private readonly c: ChainContext) {}

  requestKeyOf(requestId: string): string {
    return '0x' + Buffer.from(this.c.suite.hash(utf8Bytes(requestId))).toString('hex');
  }

  inputOf(plan: WritePlan): Uint8Array {
    const requestKey = this.requestKeyOf(plan.requestId);
    return plan.method === 'put'
      ? this.c.calls.app.encode('put', [requestKey, plan.key, plan.value])
      : this.c.calls.app.encode('remove', [requestKey, plan.key]);
  }

  /** Hosted-key mode: sign with `signer` and return the committed receipt (or the first one). */
  async write(plan: WritePlan, signer: Signer): Promise<Receipt> {
    const app = await this.c.apps.get(plan.appId);
    const input = this.inputOf(plan);
    const deadline = deadlineOf(plan, this.c.config.submitTimeoutMs);
    const receipt = await this.c.txs.signAndSend(app.address, input, signer, whatOf(plan), deadline);
    return this.settle(receipt, plan, app, accountOf(this.c.suite, signer.publicKey), input);
  }

  /** A committed receipt of a write: its Receipt, the first one for a retried request, or the typed refusal. */
  async settle(receipt: ReceiptJson, plan: WritePlan, app: AppLocation, sender: string, input: Uint8Array): Promise<Receipt> {
    if (receipt.status !== 0) {
      const revert = this.c.calls.revertOf(hexToBytes(receipt.output));
      if (revert?.name === 'RequestAlreadyExecuted') return this.earlier(plan, app, sender, input, revert);
      this.c.calls.check(receipt, { what: whatOf(plan) });
    }
    return receiptOf(this.c.chain, this.c.calls, receipt, plan.requestId, app);
  }

  private async earlier(plan: WritePlan, app: AppLocation, sender: string, input: Uint8Array, revert: DecodedRevert): Promise<Receipt> {
    const what = whatOf(plan);
    const block = Number(revert.args.blockNumber);
    const content = String(revert.args.contentHash).toLowerCase();
    const expected = '0x' + Buffer.from(this.c.suite.hash(concat([hexToBytes(sender), input])).subarray(0, 24)).toString('hex');
    const requestKey = this.requestKeyOf(plan.requestId);
    let logs;
    try {
      logs = await this.c.chain.logs({
        fromBlock: block,
        toBlock: block,
        address: app.address,
        topics: ['0x' + this.c.calls.app.eventTopic('RequestExecuted'), requestKey],
      });
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `${what}: finding the first execution of request ${plan.requestId}` });
    }
    const first = logs[0];
    if (content !== expected) {
      throw new ConflictError(
        `${what}: request id ${JSON.stringify(plan.requestId)} was used before with other content (sender, method or arguments)${first ? ` by transaction ${first.transactionHash}` : ''}`,
        { stage: 'validate', field: '/requestId', ...(first && { txId: first.transactionHash }) },
      );
    }
    if (!first) {
      throw new UnavailableError(
        `${what}: the node reports request ${plan.requestId} executed in block ${block} but returns no RequestExecuted log there`,
        {
          stage: 'query',
        },
      );
    }
    let receipt: ReceiptJson;
    try {
      receipt = await this.c.chain.receipt(first.transactionHash);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', txId: first.transactionHash, what });
    }
    return receiptOf(this.c.chain, this.c.calls, receipt, plan.requestId, app);
  }
}
