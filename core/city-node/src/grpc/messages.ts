/**
 * The service's JSON results as gRPC messages: bytes as Buffers rather than base64, and
 * free-form JSON (an app's chain info, a user's chain accounts) as JSON strings, since the
 * proto has no untyped map.
 */
import { fromBase64 } from '@bsn/contract';
import type { EventJson, PortalJson, ReceiptJson } from '@bsn/protocol';

export type Msg = Record<string, unknown>;

/** proto3 has no absent strings: an empty one means "not given". */
export function optional(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** `Arg { oneof value { text, raw } }` as the service's `string | { base64 }`. */
export function argsOf(list: unknown): Array<string | { base64: string }> {
  return ((list as Array<{ text?: string; raw?: Buffer; value?: string }>) ?? []).map((a) =>
    a.value === 'raw' || (a.raw && a.value !== 'text') ? { base64: Buffer.from(a.raw ?? []).toString('base64') } : (a.text ?? ''),
  );
}

export function eventMsg(ev: EventJson, signature: string): Msg {
  return {
    id: ev.id,
    app: ev.app,
    name: ev.name,
    payload: Buffer.from(fromBase64(ev.payload)),
    txId: ev.txId,
    block: ev.checkpoint.block,
    index: ev.checkpoint.index,
    signature,
  };
}

export function receiptMsg(r: ReceiptJson): Msg {
  return {
    txId: r.txId,
    requestId: r.requestId,
    status: r.status,
    blockNumber: r.block.number,
    blockHash: r.block.hash,
    result: r.result ? Buffer.from(fromBase64(r.result)) : Buffer.alloc(0),
    events: r.events.map((e) => eventMsg(e, '')),
    timestamp: r.timestamp,
  };
}

export function appMsg(a: object): Msg {
  const app = a as Msg;
  return { ...app, members: (app['members'] as string[] | undefined) ?? [], chainJson: JSON.stringify(app['chain'] ?? {}) };
}

export function userMsg(u: object): Msg {
  const user = u as Msg;
  return { ...user, chainAccountsJson: JSON.stringify(user['chainAccounts'] ?? {}) };
}

export function portalMsg(p: PortalJson): Msg {
  return { code: p.code, name: p.name, policyJson: JSON.stringify(p.policy), createdAt: p.createdAt };
}

export function grantMsg(g: object): Msg {
  const grant = g as Msg;
  return {
    sourceApp: grant['sourceApp'],
    targetApp: grant['targetApp'],
    effective: grant['effective'],
    sourceJson: grant['source'] ? JSON.stringify(grant['source']) : '',
    targetJson: grant['target'] ? JSON.stringify(grant['target']) : '',
  };
}

/** A stored value as bytes (the service answers base64). */
export function bytesOf(base64: unknown): Buffer {
  return Buffer.from(fromBase64(base64 as string));
}
