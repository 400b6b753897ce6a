import { InvalidInputError, NotFoundError, checkBlockRef, type BlockInfo, type TransactionInfo } from '@bsn/contract';
import { appEventOf } from './app-events.js';
import type { ChainContext } from './chain-context.js';
import { isNotFoundOnLedger, toBsnError } from './errors.js';
import { logsOf } from './node/chain-reader.js';
import type { BlockJson, ReceiptJson } from './node/node-json.js';
import { statusName } from './protocol/transaction-status.js';

/** FISCO transaction ids: the 32-byte transaction hash, 0x-prefixed. */
export function checkTxId(txId: unknown, field = '/txId'): string {
  if (typeof txId !== 'string' || !/^(0x)?[0-9a-fA-F]{64}$/.test(txId)) {
    throw new InvalidInputError(`${field}: a FISCO BCOS transaction id is a 32-byte hash in hex`, { field });
  }
  return '0x' + txId.replace(/^0x/, '').toLowerCase();
}

const txIdsOf = (block: BlockJson): string[] => (block.transactions ?? []).map((t) => (typeof t === 'string' ? t : t.hash));

/** Blocks and transactions by number and id. One group is one ledger: an app scope changes nothing. */
export class Lookups {
  constructor(private readonly c: ChainContext) {}

  async block(ref: number | 'latest'): Promise<BlockInfo> {
    const wanted = checkBlockRef(ref);
    const what = `block ${wanted}`;
    try {
      const number = wanted === 'latest' ? await this.c.chain.blockNumber() : wanted;
      const block = await this.c.chain.block(number);
      return {
        number: block.number,
        hash: block.hash,
        parentHash: block.parentInfo[0]?.blockHash ?? '0x' + '00'.repeat(32),
        timestamp: block.timestamp,
        txIds: txIdsOf(block),
      };
    } catch (error) {
      if (isNotFoundOnLedger(error)) throw new NotFoundError(`${what} does not exist (yet)`, { stage: 'query', field: '/ref' });
      throw toBsnError(error, { stage: 'query', what });
    }
  }

  async transaction(txId: string): Promise<TransactionInfo> {
    const id = checkTxId(txId);
    let receipt: ReceiptJson;
    let block: BlockJson;
    try {
      receipt = await this.c.chain.receipt(id);
      block = await this.c.chain.block(receipt.blockNumber);
    } catch (error) {
      if (isNotFoundOnLedger(error)) throw new NotFoundError(`transaction ${id} is not on the ledger`, { stage: 'query', field: '/txId' });
      throw toBsnError(error, { stage: 'query', what: `transaction ${id}` });
    }
    const txIndex = txIdsOf(block).indexOf(id);
    const to =
      '0x' +
      String(receipt.to ?? '')
        .replace(/^0x/, '')
        .toLowerCase();
    const app = this.c.apps.byAddress(to);
    const events = app
      ? logsOf(receipt)
          .map((log, logIndex) => appEventOf(this.c.calls.app, log, { ...app, txId: id, block: block.number, txIndex, logIndex }))
          .filter((e) => e !== undefined)
      : [];
    const method = app ? this.methodOf(receipt.input) : undefined;
    return {
      txId: id,
      block: { number: block.number, hash: block.hash },
      valid: receipt.status === 0,
      validationCode: `${receipt.status} ${statusName(receipt.status)}`,
      ...(app && { app: app.appId }),
      ...(method && { method }),
      events,
    };
  }

  /** The preset method a call input names (remove is the standard's `delete`). */
  private methodOf(input: string | undefined): string | undefined {
    const selector = String(input ?? '')
      .replace(/^0x/, '')
      .slice(0, 8);
    if (selector === this.c.calls.app.selectorOf('put(bytes32,string,bytes)')) return 'put';
    if (selector === this.c.calls.app.selectorOf('remove(bytes32,string)')) return 'delete';
    return undefined;
  }
}
