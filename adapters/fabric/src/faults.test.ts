import { beforeAll, describe, expect, test } from 'vitest';
import { isBsnError, type AppInfo, type BsnError, type Receipt } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { newApp, peerLedger, useFabricNetwork } from './__fixtures__/network.js';

let app: AppInfo;

const fabric = useFabricNetwork({
  overrides: { submitTimeoutMs: 20_000, endorseTimeoutMs: 10_000, evaluateTimeoutMs: 5_000 },
  actors: ['admin', 'member'],
});

beforeAll(async () => {
  if (fabric.skipped) return;
  app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'faults');
});

/** Kills a devnet process (and its process group) the way a crash would. */
function kill(name: string): void {
  const p = fabric.devnet.processes().find((x) => x.name === name);
  if (!p?.pid) throw new Error(`no process ${name}`);
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    process.kill(p.pid, 'SIGKILL');
  }
}

const put = (key: string) => fabric.org1.kv.put({ app, key, value: bytes(key), requestId: unique('req') }, fabric.actors.member.signer);

describe('Fabric peers stopped mid-run', () => {
  test('writes in flight when a peer dies either return a receipt the ledger holds or fail typed; later writes are UNAVAILABLE at endorse; the last peer gone, health says so', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const before = await put(unique('before'));
    const keys = Array.from({ length: 12 }, () => unique('inflight'));
    const inFlight = Promise.allSettled(
      keys.map(async (key, i) => {
        await new Promise((r) => setTimeout(r, i * 40));
        return put(key);
      }),
    );
    await new Promise((r) => setTimeout(r, 150));
    kill('peer0.org2.example.com');
    const settled = await inFlight;

    // Nothing is reported committed that Org1's ledger does not hold as VALID.
    const org1 = await peerLedger(fabric.devnet, 'Org1MSP');
    try {
      const receipts = settled.filter((s): s is PromiseFulfilledResult<Receipt> => s.status === 'fulfilled').map((s) => s.value);
      for (const r of [before, ...receipts]) {
        expect(await org1.validationCode(r.txId)).toBe(0);
        expect((await org1.block(r.block.number)).hash).toBe(r.block.hash);
      }
      const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as BsnError);
      for (const f of failures) {
        expect(isBsnError(f), String(f)).toBe(true);
        expect(['UNAVAILABLE', 'TIMEOUT', 'REJECTED_BY_CHAIN']).toContain(f.code);
        expect(['endorse', 'submit', 'commit']).toContain(f.stage);
        expect(f.detail?.framework).toBe('fabric');
      }
      console.info(
        `peer stopped mid-run: ${receipts.length} writes committed, ${failures.length} failed (${failures.map((f) => `${f.code}@${f.stage}`).join(', ')})`,
      );
      // Failed writes that are not on the ledger left no trace in state.
      for (const [i, s] of settled.entries()) {
        if (s.status === 'rejected' && s.reason.code !== 'TIMEOUT') expect(await fabric.org1.kv.get(app, keys[i]!)).toBeNull();
      }
    } finally {
      org1.close();
    }

    // With Org2's peer down the AND(Org1, Org2) policy cannot be met: the gateway says so at endorsement.
    const down = await put(unique('after')).then(
      () => undefined,
      (e: unknown) => e as BsnError,
    );
    expect(down && isBsnError(down)).toBe(true);
    expect(down!.code).toBe('UNAVAILABLE');
    expect(down!.stage).toBe('endorse');
    expect(down!.retryable).toBe(true);
    // The gateway names the unreachable peer, or (once discovery has dropped it) says no peer
    // combination can satisfy the policy any more.
    expect(JSON.stringify(down!.detail)).toMatch(/Org2MSP|no combination of peers/);
    // Reads go on from Org1's peer.
    const beforeKey = text(before.events[0]!.payload);
    expect(text((await fabric.org1.kv.get(app, beforeKey))!.value)).toBe(beforeKey);
    expect((await fabric.org1.gateway.health()).ok).toBe(true);

    // Org1's peer (the gateway the adapter dials) gone as well: everything is UNAVAILABLE.
    kill('peer0.org1.example.com');
    const gone = await put(unique('gone')).then(
      () => undefined,
      (e: unknown) => e as BsnError,
    );
    expect(gone?.code).toBe('UNAVAILABLE');
    expect(gone?.stage).toBe('endorse');
    expect(
      (
        await fabric.org1.kv.get(app, keys[0]!).then(
          () => undefined,
          (e: unknown) => e as BsnError,
        )
      )?.code,
    ).toBe('UNAVAILABLE');
    const health = await fabric.org1.gateway.health();
    expect(health.ok).toBe(false);
    expect(String(health.detail?.error)).not.toBe('');
  }, 120_000);
});
