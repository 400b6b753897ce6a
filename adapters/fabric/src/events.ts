import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { InvalidInputError, type ChainEvent, type Checkpoint, type EventsRequest } from '@bsn/contract';
import type { PresetChaincode } from './chaincode-client.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { toBsnError } from './errors.js';
import type { Ledger } from './ledger.js';
import { checkAppRef, checkCheckpoint } from './validation.js';

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
 * An app's events from the Gateway's chaincode-events service, which delivers the events of
 * valid transactions of committed (hence final) blocks, in block order, then follows new
 * blocks live; without a checkpoint it starts at the block that created the app. The checkpoint `{block, index}` is the block number and the event's running
 * index among the chaincode's events in that block; resuming *after* a checkpoint restarts
 * delivery at the start of its block and skips what the index says was seen, so nothing is
 * missed and nothing is seen twice. Other apps' events (same chaincode, other namespace) are
 * dropped here. Ends only when `signal` aborts.
 */
export async function* eventStream(d: EventStreamDeps, request: EventsRequest): AsyncGenerator<ChainEvent> {
  if (typeof request !== 'object' || request === null) throw new InvalidInputError('an events request is an object', { field: '' });
  const appId = checkAppRef(request.app);
  const after: Checkpoint | undefined = checkCheckpoint(request.after);
  if (request.name !== undefined && typeof request.name !== 'string') throw new InvalidInputError('/name: must be a string', { field: '/name' });
  const signal = request.signal;
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
      if (after && (block < after.block || (block === after.block && index <= after.index))) continue;
      const event = chainEventOf(block, index, raw.transactionId, raw.eventName, raw.payload);
      if (!event || event.app !== appId) continue;
      if (request.name !== undefined && event.name !== request.name) continue;
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
