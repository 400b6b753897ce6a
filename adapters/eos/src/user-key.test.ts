import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsnError, type PreparedTransaction } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { isCanonical } from './antelope/index.js';
import { startNode, whyNoNode, type Actor, type EosNode } from './__fixtures__/node.js';

const why = await whyNoNode();
if (why) console.warn(`skipped: ${why}`);

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe.skipIf(why)('user-key mode on a real Leap node', () => {
  let node: EosNode;
  let admin: Actor;
  let member: Actor;
  let outsider: Actor;
  let appId: string;

  beforeAll(async () => {
    node = await startNode();
    [admin, member, outsider] = await Promise.all([node.actor(), node.actor(), node.actor()]);
    appId = (await node.app(admin, [member])).appId;
  });
  afterAll(() => node?.stop());

  /** Prepares puts for `who` until its deterministic signature is (or is not) canonical. */
  async function preparedWith(who: Actor, canonical: boolean): Promise<{ prepared: PreparedTransaction; key: string; value: string }> {
    for (let attempt = 0; attempt < 40; attempt++) {
      const key = unique('k');
      const value = unique('v');
      const prepared = await node.adapter.gateway.prepare(
        { app: { appId }, method: 'put', args: [key, bytes(value)], requestId: unique('req') },
        { publicKey: who.signer.publicKey, algorithm: who.signer.algorithm },
      );
      const signature = await who.signer.signDigest(hex(prepared.digest));
      if (isCanonical(signature.compact) === canonical) return { prepared, key, value };
    }
    throw new Error('no signature of the wanted kind in 40 attempts');
  }

  it('a canonical K1 signature commits the prepared transaction itself', async () => {
    const { prepared, key, value } = await preparedWith(member, true);
    const receipt = await node.adapter.gateway.submitPrepared(prepared, await member.signer.signDigest(hex(prepared.digest)));
    const tx = await node.adapter.gateway.transaction(receipt.txId);
    expect(tx.method).toBe('put');
    expect(text((await node.adapter.kv.get({ appId }, key))!.value)).toBe(value);
  });

  it('a non-canonical K1 signature (refused by the node) commits through the contract relay, once', async () => {
    const { prepared, key, value } = await preparedWith(member, false);
    const signature = await member.signer.signDigest(hex(prepared.digest));
    const receipt = await node.adapter.gateway.submitPrepared(prepared, signature);
    const tx = await node.adapter.gateway.transaction(receipt.txId);
    expect(tx.method, 'a relayed write is looked up as the write it carries').toBe('put');
    expect(tx.events.map((e) => [e.name, text(e.payload)])).toEqual([['kv.put', key]]);
    expect(receipt.events.map((e) => e.txId)).toEqual([receipt.txId]);
    const entry = await node.adapter.kv.get({ appId }, key);
    expect(entry && [text(entry.value), entry.txId]).toEqual([value, receipt.txId]);
    // the same signed envelope again: the first receipt, nothing written twice
    const again = await node.adapter.gateway.submitPrepared(prepared, signature);
    expect(again.txId).toBe(receipt.txId);
    expect(await node.adapter.kv.history({ appId }, key)).toHaveLength(1);
  });

  it("a non-member's relayed write is refused by the contract", async () => {
    const { prepared, key } = await preparedWith(outsider, false);
    const error = await node.adapter.gateway
      .submitPrepared(prepared, await outsider.signer.signDigest(hex(prepared.digest)))
      .catch((e: unknown) => e);
    expect(isBsnError(error, 'UNAUTHORIZED'), String(error)).toBe(true);
    expect(await node.adapter.kv.get({ appId }, key)).toBeNull();
  });

  it('a signature by another key is refused before anything is sent', async () => {
    const { prepared, key } = await preparedWith(member, false);
    const error = await node.adapter.gateway
      .submitPrepared(prepared, await outsider.signer.signDigest(hex(prepared.digest)))
      .catch((e: unknown) => e);
    expect(isBsnError(error, 'UNAUTHORIZED') && error.field).toBe('/signature');
    expect(await node.adapter.kv.get({ appId }, key)).toBeNull();
  });

  it('an R1 account signs for itself: its signatures need no canonical form', async () => {
    const r1 = await node.actor('secp256r1');
    await node.adapter.lifecycle.addMember({ appId }, r1.account, admin.signer);
    const { prepared, key, value } = await preparedWith(r1, false);
    const receipt = await node.adapter.gateway.submitPrepared(prepared, await r1.signer.signDigest(hex(prepared.digest)));
    expect((await node.adapter.gateway.transaction(receipt.txId)).method).toBe('put');
    expect(text((await node.adapter.kv.get({ appId }, key))!.value)).toBe(value);
  });
});
