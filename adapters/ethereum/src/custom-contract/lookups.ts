import { AbiCoder, dataSlice, getAddress, zeroPadValue, type Interface } from 'ethers';
import type { ChainEvent, TransactionInfo } from '@bsn/contract';
import type { ChainReader } from '../chain.js';
import { BSN_REQUEST_SELECTOR, customAppsInterface } from './contracts.js';
import type { CustomApps } from './custom-apps.js';
import { customEventFromLog } from './events.js';

export interface CustomLookupDeps {
  chain: ChainReader;
  customApps: CustomApps;
}

/** Proxy address (lowercase) → app id, once found both ways. */
const appIds = new WeakMap<CustomApps, Map<string, string>>();

/**
 * The custom app at `address`, if any: named by BsnCustomApps' AppCreated log for that proxy,
 * and believed only when the registry's record of that id names the same proxy.
 */
async function appAt(d: CustomLookupDeps, address: string): Promise<string | undefined> {
  const known = appIds.get(d.customApps) ?? new Map<string, string>();
  appIds.set(d.customApps, known);
  const hit = known.get(address.toLowerCase());
  if (hit) return hit;
  if ((await d.chain.code(d.customApps.address)) === '0x') return undefined;
  const logs = await d.chain.logs({
    address: d.customApps.address,
    topics: [customAppsInterface.getEvent('AppCreated')!.topicHash, null, zeroPadValue(address, 32)],
    fromBlock: 0,
    toBlock: await d.chain.blockNumber(),
  });
  for (const log of logs) {
    const appId = String(customAppsInterface.parseLog({ topics: log.topics, data: log.data })?.args.appId);
    const state = await d.customApps.state(appId);
    if (state && state.address.toLowerCase() === address.toLowerCase()) {
      known.set(address.toLowerCase(), appId);
      return appId;
    }
  }
  return undefined;
}

/** The ABI function a call's data selects, by any version's ABI (newest first). */
function methodOf(data: string, abis: Interface[]): string | undefined {
  for (const abi of abis) {
    const parsed = abi.parseTransaction({ data });
    if (parsed) return parsed.name;
  }
  return undefined;
}

/**
 * Completes the look-up of a transaction the preset path found no app for: a write to a custom
 * app's proxy names the app, the ABI method it called (inside `bsnRequest` when the gateway
 * sent it) and its events decoded by the app's ABI.
 */
export async function describeCustomWrite(d: CustomLookupDeps, info: TransactionInfo): Promise<TransactionInfo> {
  if (info.app) return info;
  const [tx, receipt] = await Promise.all([d.chain.transaction(info.txId), d.chain.receipt(info.txId)]);
  if (!tx?.to || !receipt) return info;
  const appId = await appAt(d, tx.to);
  if (!appId) return info;
  const current = await d.customApps.current(appId, 0);
  if (!current) return info;
  const abis = [...current.versions].reverse().map((v) => v.abi);
  let data = tx.input;
  if (data.length >= 10 && dataSlice(data, 0, 4) === BSN_REQUEST_SELECTOR) {
    try {
      [, data] = AbiCoder.defaultAbiCoder().decode(['bytes32', 'bytes'], dataSlice(tx.input, 4)) as unknown as [string, string];
    } catch {
      return info;
    }
  }
  const method = methodOf(data, abis);
  const proxy = getAddress(tx.to).toLowerCase();
  const events = receipt.logs
    .filter((l) => l.address.toLowerCase() === proxy)
    .map((l) => customEventFromLog(l, appId, current.versions))
    .filter((e): e is ChainEvent => e !== undefined);
  return { ...info, app: appId, ...(method && { method }), events };
}
