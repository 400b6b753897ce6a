import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { checkEventsRequest, isAfter, type ChainEvent, type EventsRequest } from '@bsn/contract';
import type { PresetChaincode } from './chaincode-client.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { toBsnError } from './errors.js';
import type { Ledger } from './ledger.js';

/** Chaincode events are named `bsn/<appId>/<name>` by the preset chaincode (one per transaction). */
const EVENT_NAME = /^bsn\/([A-Za-z0-9._:-]{1,128})\/([^/]+)$/;

/** The ChainEvent of a raw chaincode event, or undefined when it is not one of an app's. */
export function chainEventOf(block: number, index: number, txId: string, rawName: string, payload: Uint8Array): ChainEvent | undefined {
  const m = EVENT_NAME.exec(rawName);
  if (!m) return undefined;
  return { app: m[1]!, name: m[2]!, payload: Uint8Array.from(payload), txId, checkpoint: { block, index } };
}

export interface EventStreamDeps {
  config: ResolvedConfig;
  connection: FabricConnection;
  chaincode: PresetChaincode;
  ledger: Ledger;
}

/**
 * An app's events from the Gateway's chaincode-events service: valid transactions of
 * committed (hence final) blocks, in order, then live. The service resumes at a block, not an
 * event, and serves every app of the chaincode, so a checkpoint `{block, index}` counts the
 * chaincode's events within its block: resuming restarts at that block and skips what the
 * index says was seen; other apps' events are dropped here. Ends only when `signal` aborts.
 */
export async function* eventStream(d: EventStreamDeps, request: EventsRequest): AsyncGenerator<ChainEvent> {
  const { appId, after, name, signal } = checkEventsRequest(request);
  const app = await d.chaincode.app(appId); // NotFoundError for an unknown app
  if (signal?.aborted) return;
  // No event of the app precedes the block that created it.
  const startBlock = after?.block ?? (await d.ledger.blockOf(app.createdTx)).number;

  const network = d.connection.service.getNetwork(d.config.channel);
  let events: CloseableAsyncIterable<ChaincodeEvent>;
  try {
    events = await network.getChaincodeEvents(d.config.chaincode, { startBlock: BigInt(startBlock) });
  } catch (error) {
    throw toBsnError(error, { stage: 'query', what: `events of ${appId}` });
  }
  const close = () => events.close();
  signal?.addEventListener('abort', close, { once: true });
  let block = -1;
  let index = -1;
  try {
    for await (const raw of events) {
      const number = Number(raw.blockNumber);
      if (number !== block) {
        block = number;
        index = 0;
      } else {
        index++;
      }
      if (!isAfter({ block, index }, after)) continue;
      const event = chainEventOf(block, index, raw.transactionId, raw.eventName, raw.payload);
      if (!event || event.app !== appId) continue;
      if (name !== undefined && event.name !== name) continue;
      yield event;
      if (signal?.aborted) return;
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw toBsnError(error, { stage: 'query', what: `events of ${appId}` });
  } finally {
    signal?.removeEventListener('abort', close);
    close();
  }
}
