import { NotFoundError, checkBlockRef, type BlockInfo, type TransactionInfo } from '@bsn/contract';
import { METHOD_OF_FUNCTION, appInterface } from './abi.js';
import { num } from './chain.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import { appEventsOf } from './events.js';
import type { AdapterParts } from './parts.js';
import { checkTxId } from './validation.js';

export type LookupDeps = Pick<AdapterParts, 'chain' | 'finality' | 'registry'>;

/** A block by number; `latest` is the newest final block. */
export async function blockInfo(d: LookupDeps, ref: number | 'latest'): Promise<BlockInfo> {
  const wanted = checkBlockRef(ref);
  try {
    const n = wanted === 'latest' ? await d.finality.finalHead() : wanted;
    const b = await d.chain.block(n);
    if (!b)
      throw new NotFoundError(`block ${n} does not exist (yet)`, { stage: 'query', detail: { framework: FRAMEWORK, data: { block: n } } });
    return { number: num(b.number), hash: b.hash, parentHash: b.parentHash, timestamp: num(b.timestamp) * 1000, txIds: b.transactions };
  } catch (error) {
    throw toBsnError(error, { stage: 'query', what: `block ${String(ref)}` });
  }
}

/** A mined transaction; its app, method and events when it called an app of this registry. */
export async function transactionInfo(d: LookupDeps, txId: string): Promise<TransactionInfo> {
  const hash = checkTxId(txId);
  try {
    const [receipt, tx] = await Promise.all([d.chain.receipt(hash), d.chain.transaction(hash)]);
    if (!receipt || !tx) {
      throw new NotFoundError(tx ? `transaction ${hash} is pending, not committed` : `no transaction ${hash}`, {
        stage: 'query',
        detail: { framework: FRAMEWORK, data: { txId: hash, pending: Boolean(tx) } },
      });
    }
    const appId = receipt.to ? await appAt(d, receipt.to) : undefined;
    let method: string | undefined;
    if (appId) {
      const parsed = appInterface.parseTransaction({ data: tx.input });
      if (parsed) method = METHOD_OF_FUNCTION[parsed.name] ?? parsed.name;
    }
    return {
      txId: receipt.transactionHash,
      block: { number: num(receipt.blockNumber), hash: receipt.blockHash },
      valid: receipt.status === '0x1',
      validationCode: receipt.status,
      ...(appId && { app: appId }),
      ...(method && { method }),
      events: appId && receipt.to ? appEventsOf(receipt.logs, { appId, address: receipt.to }) : [],
    };
  } catch (error) {
    throw toBsnError(error, { stage: 'query', what: `transaction ${hash}` });
  }
}

/** The app id of an address, if it is an app of this registry (checked both ways, never trusted from the contract alone). */
async function appAt(d: LookupDeps, address: string): Promise<string | undefined> {
  const known = d.registry.appIdOf(address);
  if (known) return known;
  try {
    const out = await d.chain.call({ to: address, data: appInterface.encodeFunctionData('appInfo') });
    const [appId] = appInterface.decodeFunctionResult('appInfo', out) as unknown as [string];
    const location = await d.registry.resolve(appId);
    return location.address.toLowerCase() === address.toLowerCase() ? appId : undefined;
  } catch {
    return undefined;
  }
}
