/** An interchain call as this node tracks it: the packet, where it stands, and the transactions that moved it. */
import type { Ack, Packet } from '@bsn/contract';

/**
 * `sent` → `delivered` (executed on the target, ack written) → `acknowledged` (ack recorded on
 * the source); or `sent` → `timed-out` (recorded on the target) → `closed` (closed on the source).
 * The chains are the truth: the relayer reads each packet's state from them before every step.
 */
export type CallState = 'sent' | 'delivered' | 'acknowledged' | 'timed-out' | 'closed';

export interface InterchainCall {
  packetId: string;
  /** The source app's registry key, when the call was sent through this node's API. */
  app?: string;
  packet: Packet;
  state: CallState;
  /** Transactions by step: send, deliver, acknowledge, recordTimeout, closeTimedOut. */
  txs: { send?: string; deliver?: string; acknowledge?: string; timeout?: string; close?: string };
  /** Evidence relayed, as `<chain>/<block>/<txId>` by kind. */
  evidence: { packet?: string; ack?: string; timeout?: string };
  ack?: Ack;
  /** The last step's failure, cleared by the next success. */
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

export const FINAL_STATES: ReadonlySet<CallState> = new Set(['acknowledged', 'closed']);
