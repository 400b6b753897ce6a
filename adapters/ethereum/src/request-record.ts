import { concat, keccak256 } from 'ethers';
import { ConflictError, UnavailableError, isBsnError, type Receipt } from '@bsn/contract';
import { TOPICS, appInterface } from './abi.js';
import type { ChainReader } from './chain.js';
import { FRAMEWORK } from './describe.js';
import { revertOf, toBsnError } from './errors.js';
import type { AdapterParts } from './parts.js';
import { writeReceipt, type ResolvedWrite } from './write-plan.js';

/** What the app contract recorded for a request key (`requestOf`). */
export interface RequestRecord {
  /** First 24 bytes of keccak256(sender ‖ calldata), hex. */
  contentHash: string;
  /** Block that executed it; 0: never executed. */
  blockNumber: bigint;
}

export type RequestRecordDeps = Pick<AdapterParts, 'chain' | 'finality'>;

/** Whether the contract refused a write because its request id was executed already. */
export const alreadyExecuted = (error: unknown): boolean => revertOf(error)?.name === 'RequestAlreadyExecuted';

/** What a `RequestAlreadyExecuted(requestKey, contentHash, blockNumber)` revert says the contract recorded for `w`. */
function recordIn(error: unknown, w: ResolvedWrite): RequestRecord | undefined {
  const args = alreadyExecuted(error) ? revertOf(error)?.args : undefined;
  if (!args) return undefined;
  const { requestKey, contentHash, blockNumber } = args;
  if (typeof requestKey !== 'string' || requestKey.toLowerCase() !== w.requestKey.toLowerCase()) return undefined;
  if (typeof contentHash !== 'string' || !/^0x[0-9a-fA-F]{48}$/.test(contentHash)) return undefined;
  if (typeof blockNumber !== 'string' || !/^[0-9]+$/.test(blockNumber)) return undefined;
  return { contentHash, blockNumber: BigInt(blockNumber) };
}

async function recordOf(chain: ChainReader, w: ResolvedWrite): Promise<RequestRecord> {
  let out: string;
  try {
    out = await chain.call({ to: w.app.address, data: appInterface.encodeFunctionData('requestOf', [w.requestKey]) });
  } catch (error) {
    throw toBsnError(error, { stage: 'query', what: 'checking the request id' });
  }
  const [contentHash, blockNumber] = appInterface.decodeFunctionResult('requestOf', out) as unknown as [string, bigint];
  return { contentHash, blockNumber };
}

/**
 * The receipt of the first execution of `w`'s request id, once final; ConflictError when
 * the id was used for other content (another method, other arguments or another sender);
 * undefined when the id was never executed.
 */
export async function firstReceipt(
  d: RequestRecordDeps,
  w: ResolvedWrite,
  from: string,
  deadline: number,
  recorded?: RequestRecord,
): Promise<Receipt | undefined> {
  const { contentHash, blockNumber } = recorded ?? (await recordOf(d.chain, w));
  if (blockNumber === 0n) return undefined;
  const logs = await d.chain.logs({
    address: w.app.address,
    topics: [TOPICS.requestExecuted, w.requestKey],
    fromBlock: Number(blockNumber),
    toBlock: Number(blockNumber),
  });
  const txId = logs[0]?.transactionHash;
  const mine = keccak256(concat([from, w.data]));
  if (contentHash.toLowerCase() !== mine.slice(0, 2 + 48).toLowerCase()) {
    throw new ConflictError(
      `request id ${JSON.stringify(w.requestId)} was already used for a different request${txId ? ` (tx ${txId})` : ''}`,
      {
        stage: 'validate',
        field: '/requestId',
        ...(txId && { txId }),
        detail: {
          framework: FRAMEWORK,
          message: 'request id reused with different content',
          data: { requestKey: w.requestKey, recorded: contentHash, submitted: mine, ...(txId && { txId }) },
        },
      },
    );
  }
  if (!txId) {
    throw new UnavailableError(
      `the node has no RequestExecuted log for request ${w.requestId} in block ${blockNumber} (are its logs pruned?)`,
      {
        stage: 'query',
        detail: { framework: FRAMEWORK, data: { requestKey: w.requestKey, block: Number(blockNumber) } },
      },
    );
  }
  return writeReceipt(d.chain, w, await d.finality.final(txId, deadline));
}

/**
 * A failed hosted-key write may be a request id that was already executed: the contract
 * refuses to execute it twice (RequestAlreadyExecuted, at estimation or, for a concurrent
 * submit of the same id that won the race, on chain), and a refusal it checks first (the
 * sender is no longer a member, the app is frozen) can hide an executed id. Answers with
 * the first receipt (or the ConflictError of an id used for other content), else undefined.
 * Unreachable nodes and deadlines are not looked behind: asking again would fail the same.
 */
export async function firstReceiptBehind(
  d: RequestRecordDeps,
  error: unknown,
  w: ResolvedWrite,
  from: string,
  deadline: number,
): Promise<Receipt | undefined> {
  if (alreadyExecuted(error)) return firstReceipt(d, w, from, deadline, recordIn(error, w));
  if (!isBsnError(error) || isBsnError(error, 'UNAVAILABLE') || isBsnError(error, 'TIMEOUT')) return undefined;
  try {
    return await firstReceipt(d, w, from, deadline);
  } catch (lookup) {
    if (isBsnError(lookup, 'CONFLICT')) throw lookup;
    return undefined; // the write's own error says more than a failed look-up
  }
}
