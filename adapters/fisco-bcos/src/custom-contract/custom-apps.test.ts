/**
 * The gateway's kept app records and the lifecycle's changes, on a fake chain boundary (the
 * registry's `appInfo` answered from memory, sends answered with a receipt): the real chain's
 * side is custom-contract.test.ts on the emulator.
 */
import { describe, expect, it } from 'vitest';
import { BsnIdentity, type Signer } from '@bsn/contract';
import type { ChainContext } from '../chain-context.js';
import { accountOf } from '../protocol/account.js';
import { cryptoSuite } from '../protocol/crypto-suite.js';
import { CustomApps, KEPT_APP_MS, type CustomAppState } from './custom-apps.js';
import { CustomAppLifecycle } from './lifecycle.js';

const suite = cryptoSuite('standard');

function world() {
  let now = 5_000_000;
  const admin: Signer = BsnIdentity.generate().keyFor('fisco-bcos', 'secp256k1').signer;
  const record = { frozen: false, version: 1, members: [accountOf(suite, admin.publicKey)] };
  const sent: string[] = [];
  let appInfoReads = 0;
  let failSends = false;
  const c = {
    suite,
    config: { submitTimeoutMs: 1_000 },
    calls: {
      view: async (_abi: unknown, _to: string, fn: string) => {
        if (fn !== 'appInfo') throw new Error(`unexpected view ${fn}`);
        appInfoReads++;
        const members = '0x' + record.members.map((m) => m.slice(2)).join('');
        return ['0x' + '11'.repeat(20), record.members[0], members, record.frozen, record.version, 0, 7, '0x' + '22'.repeat(20)];
      },
    },
    txs: {
      signAndSend: async (_to: string, input: Uint8Array) => {
        sent.push(Buffer.from(input.subarray(0, 4)).toString('hex'));
        if (failSends) throw new Error('timed out');
        return { status: 0, output: '0x', transactionHash: '0x01', logEntries: [] };
      },
    },
  } as unknown as ChainContext;
  const apps = new CustomApps(c, '0x' + '33'.repeat(20), () => now);
  return {
    apps,
    lifecycle: new CustomAppLifecycle(c, apps),
    admin,
    record,
    sent,
    reads: () => appInfoReads,
    tick: (ms: number) => (now += ms),
    failSends: () => (failSends = true),
  };
}

type World = ReturnType<typeof world>;

describe('CustomApps kept records (fake boundary, fake clock)', () => {
  it('serves the gateway one appInfo read a second, however many calls', async () => {
    const w = world();
    const first = await Promise.all(Array.from({ length: 16 }, () => w.apps.find('token', KEPT_APP_MS)));
    expect(first.every((a) => a?.version === 1)).toBe(true);
    expect(w.reads(), '16 calls in flight share one read').toBe(1);
    w.tick(400);
    await w.apps.find('token', KEPT_APP_MS);
    expect(w.reads()).toBe(1);
    // Another node's upgrade: seen within the max age, never later.
    w.record.version = 2;
    w.tick(601);
    expect((await w.apps.find('token', KEPT_APP_MS))?.version).toBe(2);
    expect(w.reads()).toBe(2);
    expect((await w.apps.find('token', 0))?.version, 'the lifecycle reads every time').toBe(2);
    expect(w.reads()).toBe(3);
  });

  const NEW_MEMBER = '0x' + '44'.repeat(20);
  const changes = {
    freeze: {
      send: (w: World, app: CustomAppState) => w.lifecycle.setFrozen(app, true, w.admin),
      land: (w: World) => (w.record.frozen = true),
      seen: { frozen: true },
    },
    'a new member': {
      send: (w: World, app: CustomAppState) => w.lifecycle.setMember(app, NEW_MEMBER, true, w.admin),
      land: (w: World) => w.record.members.push(NEW_MEMBER),
      seen: { members: expect.arrayContaining([NEW_MEMBER]) },
    },
  };

  it.each(Object.entries(changes))('after %s through the adapter the very next call sees it', async (_, change) => {
    const w = world();
    const app = (await w.apps.find('token', KEPT_APP_MS))!;
    w.tick(100);
    const sending = change.send(w, app);
    change.land(w);
    await sending;
    const reads = w.reads();
    expect(await w.apps.find('token', KEPT_APP_MS)).toMatchObject(change.seen);
    expect(w.reads(), 'read again, not served the kept one').toBe(reads + 1);
  });

  it('drops the kept record when the send of a change fails (it may still land): the next call reads again', async () => {
    const w = world();
    const app = (await w.apps.find('token', KEPT_APP_MS))!;
    w.failSends();
    // A send that timed out may still land: the record is dropped all the same.
    await expect(w.lifecycle.setFrozen(app, true, w.admin)).rejects.toThrow('timed out');
    w.record.frozen = true;
    expect((await w.apps.find('token', KEPT_APP_MS))?.frozen).toBe(true);
    expect(w.sent).toHaveLength(1);
  });
});
