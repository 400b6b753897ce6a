/**
 * The JSON shapes the city node answers with, shared by the node (REST and gRPC) and its
 * clients, and the bytes the node signs for each event.
 */
import type { ChainEvent, Checkpoint, KeyAlgorithm, Receipt } from '@bsn/contract';
import { canonicalJson, toBase64 } from '@bsn/contract';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text when the bytes are valid UTF-8. */
export function textOf(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export type Arg = string | { base64: string };

export interface ReceiptJson {
  txId: string;
  requestId: string;
  status: 'committed';
  block: { number: number; hash: string };
  result?: string;
  events: EventJson[];
  timestamp: number;
}

export interface EventJson {
  id: string;
  app: string;
  name: string;
  payload: string;
  payloadText?: string;
  txId: string;
  checkpoint: Checkpoint;
}

export interface AppJson {
  code: string;
  portal: string;
  owner: string;
  name: string;
  framework: string;
  network: string;
  createdAt: number;
  chain: Record<string, unknown>;
  members?: string[];
}

/** A user as the API shows it: the registry's record without keys' secrets, with its chain accounts. */
export interface UserJson {
  code: string;
  portal: string;
  algorithm: KeyAlgorithm;
  /** hex */
  publicKey: string;
  keyMode: 'hosted' | 'user';
  role: 'operator' | 'admin' | 'member';
  chainAccounts: Record<string, string>;
}

/** The frameworks and networks a portal offers its users (its jurisdiction); an absent list allows any, an empty one none. */
export interface PortalPolicyJson {
  frameworks?: string[];
  networks?: string[];
}

export interface PortalJson {
  code: string;
  name: string;
  policy: PortalPolicyJson;
  createdAt: number;
}

/** A transaction the node built for a user-key user: they sign `digest` and submit the signature under `preparedId`. */
export interface PreparedJson {
  preparedId: string;
  requestId: string;
  algorithm: KeyAlgorithm;
  publicKey: string;
  /** hex */
  digest: string;
  /** ms since epoch; submit before it. */
  expiresAt: number;
}

export const checkpointId = (c: Checkpoint): string => `${c.block}:${c.index}`;

export function eventJson(e: ChainEvent): EventJson {
  const text = textOf(e.payload);
  return {
    id: checkpointId(e.checkpoint),
    app: e.app,
    name: e.name,
    payload: toBase64(e.payload),
    ...(text !== undefined && { payloadText: text }),
    txId: e.txId,
    checkpoint: e.checkpoint,
  };
}

/** What the node signs for one event (REST and gRPC alike): its canonical JSON without the text rendering. */
export function eventSigningData(ev: Pick<EventJson, 'id' | 'app' | 'name' | 'payload' | 'txId' | 'checkpoint'>): string {
  return canonicalJson({
    id: ev.id,
    app: ev.app,
    name: ev.name,
    payload: ev.payload,
    txId: ev.txId,
    checkpoint: { block: ev.checkpoint.block, index: ev.checkpoint.index },
  });
}

export function receiptJson(r: Receipt): ReceiptJson {
  return {
    txId: r.txId,
    requestId: r.requestId,
    status: r.status,
    block: { number: r.block.number, hash: r.block.hash },
    ...(r.result && { result: toBase64(r.result) }),
    events: r.events.map(eventJson),
    timestamp: r.timestamp,
  };
}
