import { keccak256, toUtf8Bytes } from 'ethers';
import type { Receipt, WritePlan } from '@bsn/contract';
import { PRESET_FUNCTIONS, appInterface } from './abi.js';
import { num, type ChainReader, type RawReceipt } from './chain.js';
import { appEventsOf } from './events.js';
import type { AppLocation, RegistryContract } from './registry-contract.js';

/** A checked preset write bound to its app, as the app contract is called with it. */
export interface ResolvedWrite extends WritePlan {
  app: AppLocation;
  /** What the app contract records the request id as (`requestKeyOf`). */
  requestKey: string;
  /** Calldata of `put(requestKey, key, value)` or `remove(requestKey, key)`. */
  data: string;
}

/** keccak256 of the request id's UTF-8: what the app contract records as executed. */
export const requestKeyOf = (requestId: string): string => keccak256(toUtf8Bytes(requestId));

/** Finds the plan's app (NotFoundError for an unknown one) and encodes the call. */
export async function resolveWrite(plan: WritePlan, registry: RegistryContract): Promise<ResolvedWrite> {
  const app = await registry.resolve(plan.appId);
  const requestKey = requestKeyOf(plan.requestId);
  const args = plan.value === undefined ? [requestKey, plan.key] : [requestKey, plan.key, plan.value];
  return { ...plan, app, requestKey, data: appInterface.encodeFunctionData(PRESET_FUNCTIONS[plan.method], args) };
}

/** The committed receipt of a write, with the events its app emitted. */
export async function writeReceipt(chain: ChainReader, w: ResolvedWrite, raw: RawReceipt): Promise<Receipt> {
  const number = num(raw.blockNumber);
  return {
    txId: raw.transactionHash,
    requestId: w.requestId,
    status: 'committed',
    block: { number, hash: raw.blockHash },
    events: appEventsOf(raw.logs, w.app),
    timestamp: await chain.timestampMs(number, raw.blockHash),
  };
}
