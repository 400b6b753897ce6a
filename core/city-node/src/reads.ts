/**
 * Reads through the adapters, each metered as one read of the app. Values go out as base64,
 * plus their text when they are valid UTF-8, so JSON clients need no decoding for text.
 */
import type { ChainEvent, Checkpoint } from '@bsn/contract';
import { toBase64 } from '@bsn/contract';
import { textOf } from '@bsn/protocol';
import type { Caller } from './auth/authenticator.js';
import { argBytes, str, type Body } from './body.js';
import { notFound } from './errors.js';
import { eventForCaller, localCode } from './app-codes.js';
import type { AppUsage, Metering } from './metering.js';
import type { Tenancy } from './tenancy.js';

function valueJson(value: Uint8Array): { value: string; valueText?: string } {
  const text = textOf(value);
  return { value: toBase64(value), ...(text !== undefined && { valueText: text }) };
}

export class Reads {
  constructor(
    private readonly metering: Metering,
    private readonly tenancy: Tenancy,
  ) {}

  async kvGet(caller: Caller, code: string, key: string): Promise<Record<string, unknown>> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const entry = await network.adapter.kv.get({ appId: app.code }, key);
    this.metering.record(app.code, { reads: 1 });
    if (!entry) throw notFound('not-found', `key ${JSON.stringify(key)} is not set in app ${localCode(app)}`);
    return { key: entry.key, ...valueJson(entry.value), txId: entry.txId, block: entry.block };
  }

  async kvHistory(caller: Caller, code: string, key: string): Promise<Record<string, unknown>> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const history = await network.adapter.kv.history({ appId: app.code }, key);
    this.metering.record(app.code, { reads: 1 });
    return {
      key,
      entries: history.map((h) => ({
        txId: h.txId,
        block: h.block,
        timestamp: h.timestamp,
        ...(h.value === null ? { value: null } : valueJson(h.value)),
        deleted: h.value === null,
      })),
    };
  }

  async kvList(caller: Caller, code: string, prefix: string, limit?: number, cursor?: string): Promise<Record<string, unknown>> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const page = await network.adapter.kv.list({ appId: app.code }, prefix, {
      ...(limit !== undefined && { limit }),
      ...(cursor && { cursor }),
    });
    this.metering.record(app.code, { reads: 1 });
    return {
      entries: page.entries.map((e) => ({ key: e.key, ...valueJson(e.value), txId: e.txId, block: e.block })),
      ...(page.cursor && { cursor: page.cursor }),
    };
  }

  async evaluate(caller: Caller, code: string, body: Body): Promise<Record<string, unknown>> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const method = str(body, 'method', { required: true })!;
    const args = argBytes(body['args'] ?? []);
    const r = await network.adapter.gateway.evaluate({ app: { appId: app.code }, method, args });
    this.metering.record(app.code, { reads: 1 });
    const text = textOf(r.result);
    return {
      result: toBase64(r.result),
      ...(text !== undefined && { resultText: text }),
      ...(r.block !== undefined && { block: r.block }),
    };
  }

  /** Ordered, gap-free events of the app after `after`, until `signal` aborts. */
  async events(
    caller: Caller,
    code: string,
    after: Checkpoint | undefined,
    name: string | undefined,
    signal: AbortSignal,
  ): Promise<AsyncIterable<ChainEvent>> {
    const { app, network } = await this.tenancy.memberApp(caller, code);
    const events = network.adapter.gateway.events({ app: { appId: app.code }, ...(after && { after }), ...(name && { name }), signal });
    return (async function* () {
      for await (const e of events) yield eventForCaller(e, app);
    })();
  }

  async usage(caller: Caller, code: string): Promise<AppUsage> {
    const { app } = await this.tenancy.memberApp(caller, code);
    return { ...(await this.metering.usage(app.code)), app: localCode(app) };
  }
}
