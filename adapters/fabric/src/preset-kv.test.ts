import { beforeAll, describe, expect, test } from 'vitest';
import { encodeKeyCursor, type AppInfo } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { newApp, refusal, useFabricNetwork } from './__fixtures__/network.js';

let app: AppInfo;

const fabric = useFabricNetwork({ actors: ['admin', 'member'] });

beforeAll(async () => {
  if (fabric.skipped) return;
  app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'kv');
});

const put = (key: string, value: string | Uint8Array) =>
  fabric.org1.kv.put(
    { app, key, value: typeof value === 'string' ? bytes(value) : value, requestId: unique('req') },
    fabric.actors.member.signer,
  );
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('preset key/value contract on Fabric', () => {
  test('writes of one key in one block: history keeps both, in transaction order, each with its block and time', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('same-block');
    const [a, b] = await Promise.all([put(key, 'a'), put(key, 'b')]);
    const history = await fabric.org1.kv.history(app, key);
    const expected = [a, b].sort((x, y) => x.block.number - y.block.number);
    expect(history.map((h) => h.txId).sort()).toEqual([a.txId, b.txId].sort());
    expect(history.map((h) => h.block)).toEqual([...history.map((h) => h.block)].sort((x, y) => x - y));
    if (a.block.number === b.block.number) {
      // Within one block: the order the orderer put them in.
      const block = await fabric.org1.gateway.block(a.block.number);
      expect(history.map((h) => h.txId)).toEqual(block.txIds.filter((t) => t === a.txId || t === b.txId));
    } else {
      expect(history.map((h) => h.txId)).toEqual(expected.map((r) => r.txId));
    }
    // The live value is the last one in history.
    expect(text((await fabric.org1.kv.get(app, key))!.value)).toBe(text(history.at(-1)!.value!));
    for (const h of history) expect(h.timestamp).toBeGreaterThan(Date.now() - 120_000);
  });

  test('list pages through many keys in byte order, also for prefixes ending in the highest code point', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const prefix = `${unique('many')}/`;
    const suffixes = [
      ...Array.from({ length: 40 }, (_, i) => `n${String(i).padStart(3, '0')}`),
      '\u{10FFFF}',
      '\u{10FFFF}\u{10FFFF}',
      '\u{10FFFF}a',
      'ÿ',
      '~',
      'Ω',
    ];
    const keys = suffixes.map((s) => prefix + s);
    for (let i = 0; i < keys.length; i += 8) await Promise.all(keys.slice(i, i + 8).map((k) => put(k, k)));
    await put(`${prefix.slice(0, -1)}0`, 'the next prefix up, never listed');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await fabric.org1.kv.list(app, prefix, { limit: 7, ...(cursor && { cursor }) });
      expect(page.entries.length).toBeLessThanOrEqual(7);
      for (const e of page.entries) expect(text(e.value)).toBe(e.key);
      seen.push(...page.entries.map((e) => e.key));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([...keys].sort(byteOrder));
    const top = await fabric.org1.kv.list(app, `${prefix}\u{10FFFF}`);
    expect(top.entries.map((e) => e.key)).toEqual(
      [`${prefix}\u{10FFFF}`, `${prefix}\u{10FFFF}a`, `${prefix}\u{10FFFF}\u{10FFFF}`].sort(byteOrder),
    );
    const entry = (await fabric.org1.kv.list(app, prefix, { limit: 1 })).entries[0]!;
    const tx = await fabric.org1.gateway.transaction(entry.txId);
    expect(tx.block.number).toBe(entry.block);
  });

  test('cursors are checked: forged, from another prefix, or naming a key outside it are INVALID_INPUT', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(await refusal(fabric.org1.kv.list(app, 'a', { cursor: 'k1.!!' }))).toBe('INVALID_INPUT /cursor');
    expect(await refusal(fabric.org1.kv.list(app, 'a', { cursor: encodeKeyCursor('b') }))).toBe('INVALID_INPUT /cursor');
    expect(await refusal(fabric.org1.kv.list(app, 'a', { cursor: encodeKeyCursor('a\u0000') }))).toBe('INVALID_INPUT /cursor');
    expect(await refusal(fabric.org1.kv.list(app, '', { limit: 101 }))).toBe('INVALID_INPUT /limit');
  });

  test('values are bytes end to end (no UTF-8 anywhere), up to the limit; keys are never normalised', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const value = Uint8Array.from({ length: 65_536 }, (_, i) => (i * 7 + 3) & 0xff);
    const key = unique('bin');
    const r = await put(key, value);
    expect(Buffer.from((await fabric.org1.kv.get(app, key))!.value).equals(Buffer.from(value))).toBe(true);
    expect(Buffer.from((await fabric.org1.gateway.evaluate({ app, method: 'get', args: [key] })).result).equals(Buffer.from(value))).toBe(
      true,
    );
    expect(Buffer.from((await fabric.org1.kv.history(app, key))[0]!.value!).equals(Buffer.from(value))).toBe(true);
    expect((await fabric.org1.kv.get(app, key))!.block).toBe(r.block.number);
    const nfc = unique('n') + '\u00e9';
    const nfd = nfc.slice(0, -1) + 'e\u0301';
    await put(nfc, 'composed');
    expect(await fabric.org1.kv.get(app, nfd)).toBeNull();
  });

  test("the chaincode itself refuses what the adapter would (a client that skips the adapter's checks)", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const gateway = await fabric.org1.parts.connection.gatewayFor(fabric.actors.member.signer);
    const raw = (fn: string, args: Array<string | Uint8Array>) =>
      refusal(fabric.org1.transactor.transact(gateway, fn, args, { what: fn, deadline: Date.now() + 30_000, kvResult: true }));
    expect(await raw('put', [app.appId, unique('req'), 'k', new Uint8Array()])).toBe('INVALID_INPUT /value');
    expect(await raw('put', [app.appId, unique('req'), 'a\u0000b', bytes('v')])).toBe('INVALID_INPUT /key');
    expect(await raw('put', [app.appId, unique('req'), 'k'.repeat(1025), bytes('v')])).toBe('INVALID_INPUT /key');
    expect(await raw('put', [app.appId, unique('req'), 'k', new Uint8Array(65_537)])).toBe('INVALID_INPUT /value');
    expect(await raw('put', [app.appId, 'bad id', 'k', bytes('v')])).toBe('INVALID_INPUT /requestId');
    expect(await raw('put', ['no/such/app', unique('req'), 'k', bytes('v')])).toBe('INVALID_INPUT /app/appId');
  });
});
