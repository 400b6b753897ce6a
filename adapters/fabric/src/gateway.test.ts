import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PRESET_METHODS, type AppInfo, type Receipt, type Signer } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { connect, failure, newApp, newSigner, peerLedger, useFabricNetwork } from './__fixtures__/network.js';
import { USER_KEY_DOMAIN } from './user-key.js';

let app: AppInfo;
let org2: Awaited<ReturnType<typeof peerLedger>>;

const fabric = useFabricNetwork({ actors: ['admin', 'member', 'outsider'] });

beforeAll(async () => {
  if (fabric.skipped) return;
  org2 = await peerLedger(fabric.devnet, 'Org2MSP');
  app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'gw');
});

afterAll(() => {
  org2?.close();
});

const put = (key: string, value: string, requestId = unique('req'), signer: Signer = fabric.actors.member.signer) =>
  fabric.org1.gateway.submit({ app, method: PRESET_METHODS.put, args: [key, bytes(value)], requestId }, signer);

/** The receipt agrees with what the other org's peer, over its own connection, holds. */
async function checkAgainstLedger(receipt: Receipt): Promise<void> {
  await expect.poll(() => org2.height(), { timeout: 10_000 }).toBeGreaterThan(receipt.block.number);
  expect(await org2.validationCode(receipt.txId), 'Org2 records the tx as VALID').toBe(0);
  const block = await org2.block(receipt.block.number);
  expect(block.hash, 'the receipt names the block by its header hash').toBe(receipt.block.hash);
  expect(block.transactions.map((t) => t.txId)).toContain(receipt.txId);
}

describe('Fabric gateway on a two-org network', () => {
  test("a receipt is the ledger's own record: block hash, VALID flag, the next block chains onto it", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const first = await put(unique('k'), 'one');
    await checkAgainstLedger(first);
    expect(first.events).toEqual([expect.objectContaining({ app: app.appId, name: 'kv.put', txId: first.txId })]);
    const second = await put(unique('k'), 'two');
    await checkAgainstLedger(second);
    expect(second.block.number).toBeGreaterThan(first.block.number);
    const next = await fabric.org1.gateway.block(first.block.number + 1);
    expect(next.parentHash, 'block n+1 names block n by the hash the receipt gave').toBe(first.block.hash);
    // The whole chain links, down to the genesis block (which has no parent).
    for (let n = second.block.number; n > 0; n--) {
      expect((await fabric.org1.gateway.block(n)).parentHash).toBe((await fabric.org1.gateway.block(n - 1)).hash);
    }
    expect((await fabric.org1.gateway.block(0)).parentHash).toBe('');
    const latest = await fabric.org1.gateway.block('latest');
    expect(latest.number).toBeGreaterThanOrEqual(second.block.number);
    const tx = await fabric.org1.gateway.transaction(second.txId);
    expect(tx).toMatchObject({ valid: true, validationCode: 'VALID', app: app.appId, method: 'put', block: second.block });
    expect(second.timestamp).toBeGreaterThan(Date.now() - 60_000);
  });

  test('idempotency lives on the ledger: a new adapter instance gets the first receipt, other content is CONFLICT', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('k');
    const requestId = unique('req');
    const first = await put(key, 'once', requestId);
    const restarted = await connect(fabric.devnet);
    try {
      const again = await restarted.gateway.submit(
        { app, method: PRESET_METHODS.put, args: [key, bytes('once')], requestId },
        fabric.actors.member.signer,
      );
      expect(again.txId).toBe(first.txId);
      expect(again.block).toEqual(first.block);
      const conflict = await failure(
        restarted.gateway.submit({ app, method: PRESET_METHODS.put, args: [key, bytes('other')], requestId }, fabric.actors.member.signer),
      );
      expect(conflict.code).toBe('CONFLICT');
      expect(conflict.stage).toBe('endorse');
      expect(conflict.detail?.message).toContain(first.txId);
      // The same id by another account is other content too.
      expect(
        (
          await failure(
            restarted.gateway.submit(
              { app, method: PRESET_METHODS.put, args: [key, bytes('once')], requestId },
              fabric.actors.admin.signer,
            ),
          )
        ).code,
      ).toBe('CONFLICT');
    } finally {
      await restarted.close();
    }
    expect((await fabric.org1.kv.history(app, key)).map((h) => h.txId)).toEqual([first.txId]);
  });

  test('concurrent submits of one request id: one transaction, every caller gets its receipt', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('k');
    const requestId = unique('req');
    const receipts = await Promise.all(Array.from({ length: 4 }, () => put(key, 'racing', requestId)));
    expect(new Set(receipts.map((r) => r.txId)).size).toBe(1);
    expect((await fabric.org1.kv.history(app, key)).map((h) => h.txId)).toEqual([receipts[0]!.txId]);
  });

  test('user-key mode: the client signs one digest; a forged signature is refused locally and by the chaincode itself', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('uk');
    const account = { publicKey: fabric.actors.member.signer.publicKey, algorithm: fabric.actors.member.signer.algorithm };
    const prepared = await fabric.org1.gateway.prepare(
      { app, method: PRESET_METHODS.put, args: [key, bytes('client-signed')], requestId: unique('req') },
      account,
    );
    expect(prepared.digest).toMatch(/^[0-9a-f]{64}$/);

    // Another key's signature: refused before anything is sent.
    const wrong = await fabric.actors.outsider.signer.signDigest(Buffer.from(prepared.digest, 'hex'));
    const local = await failure(fabric.org1.gateway.submitPrepared(prepared, wrong));
    expect(local.code).toBe('UNAUTHORIZED');
    expect(local.stage).toBe('sign');

    // Relayed anyway: every endorsing peer's chaincode verifies the signature and refuses.
    const payload = JSON.parse(Buffer.from(prepared.payload, 'base64').toString('utf8')) as { auth: string };
    const onChain = await failure(
      fabric.org1.gateway.relaySigned(payload.auth, wrong.compact, { appId: app.appId, method: 'put', requestId: 'x' }),
    );
    expect(onChain.code).toBe('UNAUTHORIZED');
    expect(onChain.stage).toBe('endorse');
    expect(onChain.detail?.message).toMatch(/signature does not verify/);
    expect(await fabric.org1.kv.get(app, key)).toBeNull();

    // The real signature commits, as the member's own account.
    const receipt = await fabric.org1.gateway.submitPrepared(
      prepared,
      await fabric.actors.member.signer.signDigest(Buffer.from(prepared.digest, 'hex')),
    );
    await checkAgainstLedger(receipt);
    expect(text((await fabric.org1.kv.get(app, key))!.value)).toBe('client-signed');
    expect(USER_KEY_DOMAIN).toBe('bsn:fabric:user-key:v1\n');

    // A non-member's key, correctly signed, is refused by the membership rule.
    const stranger = await fabric.org1.gateway.prepare(
      { app, method: PRESET_METHODS.put, args: [key, bytes('no')], requestId: unique('req') },
      { publicKey: fabric.actors.outsider.signer.publicKey, algorithm: 'secp256r1' },
    );
    const refused = await failure(
      fabric.org1.gateway.submitPrepared(stranger, await fabric.actors.outsider.signer.signDigest(Buffer.from(stranger.digest, 'hex'))),
    );
    expect(refused.code).toBe('UNAUTHORIZED');
    expect(refused.detail?.message).toContain(fabric.actors.outsider.account.id);
  });

  test("Fabric's own two-signature flow (extension): the member's MSP identity is the creator; wrong keys are refused at each step", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const account = { publicKey: fabric.actors.member.signer.publicKey, algorithm: 'secp256r1' as const };
    const sign = (s: { digest: string }, signer: Signer = fabric.actors.member.signer) => signer.signDigest(Buffer.from(s.digest, 'hex'));
    const key = unique('native');
    const proposal = await fabric.org1.native.proposal(
      { app, method: PRESET_METHODS.put, args: [key, bytes('natively signed')], requestId: unique('req') },
      account,
    );
    expect((await failure(fabric.org1.native.endorse(proposal, await sign(proposal, fabric.actors.outsider.signer)))).code).toBe(
      'UNAUTHORIZED',
    );
    const transaction = await fabric.org1.native.endorse(proposal, await sign(proposal));
    if (!('kind' in transaction)) throw new Error('expected the transaction step');
    expect(transaction.txId).toBe(proposal.txId);
    const forged = await failure(fabric.org1.native.submit(transaction, await sign(transaction, fabric.actors.outsider.signer), 10_000));
    // The orderer checks the envelope signature against the channel's Writers policy.
    expect(forged).toMatchObject({ code: 'UNAUTHORIZED', stage: 'submit' });
    expect(forged.detail?.message).toMatch(/FORBIDDEN|permission denied/);
    expect(await fabric.org1.kv.get(app, key)).toBeNull();

    const again = await fabric.org1.native.proposal(
      { app, method: PRESET_METHODS.put, args: [key, bytes('natively signed')], requestId: unique('req') },
      account,
    );
    const tx = await fabric.org1.native.endorse(again, await sign(again));
    if (!('kind' in tx)) throw new Error('expected the transaction step');
    const receipt = await fabric.org1.native.submit(tx, await sign(tx));
    await checkAgainstLedger(receipt);
    expect((await fabric.org1.kv.get(app, key))!.txId).toBe(receipt.txId);
  });

  test('a transaction signed by the wrong key is refused by Fabric at endorsement, typed UNAUTHORIZED, nothing written', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const impostorKey = newSigner();
    // Claims the member's key (and so the member's certificate) but signs with another.
    const impostor: Signer = {
      algorithm: 'secp256r1',
      publicKey: fabric.actors.member.signer.publicKey,
      signDigest: (d) => impostorKey.signDigest(d),
    };
    const key = unique('k');
    const error = await failure(put(key, 'forged', unique('req'), impostor));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.stage).toBe('endorse');
    expect(error.detail?.framework).toBe('fabric');
    expect(JSON.stringify(error.detail?.data)).toMatch(/access denied|signature|creator/i);
    expect(await fabric.org1.kv.get(app, key)).toBeNull();
  });

  test("a chaincode error is the typed error with the chaincode's own words and the peers that said it", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const notMember = await failure(put(unique('k'), 'x', unique('req'), fabric.actors.outsider.signer));
    expect(notMember).toMatchObject({ code: 'UNAUTHORIZED', stage: 'endorse' });
    expect(notMember.detail).toMatchObject({ framework: 'fabric', code: 'BSN:UNAUTHORIZED' });
    expect((notMember.detail?.data as { peers: Array<{ mspId: string }> }).peers.map((p) => p.mspId)).toContain('Org1MSP');
    // A function the chaincode does not have: its own error, typed REJECTED_BY_CHAIN.
    const gateway = await fabric.org1.parts.connection.gatewayFor(fabric.actors.member.signer);
    const unknownFn = await failure(
      fabric.org1.transactor.transact(gateway, 'noSuchFunction', [app.appId], { what: 'noSuchFunction', deadline: Date.now() + 30_000 }),
    );
    expect(unknownFn).toMatchObject({ code: 'REJECTED_BY_CHAIN', stage: 'endorse' });
    expect(unknownFn.detail?.message).toMatch(/does not exist/);
    const missing = await failure(
      fabric.org1.kv.delete({ app, key: unique('never'), requestId: unique('req') }, fabric.actors.member.signer),
    );
    expect(missing).toMatchObject({ code: 'NOT_FOUND', stage: 'endorse' });
  });

  test('endorsed by one org only, the AND policy fails validation: REJECTED_BY_CHAIN at commit with the validation code, nothing written', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('lone');
    const gateway = await fabric.org1.parts.connection.gatewayFor(fabric.actors.member.signer);
    const error = await failure(
      fabric.org1.transactor.transact(gateway, 'put', [app.appId, unique('req'), key, bytes('org1 only')], {
        what: 'put endorsed by Org1 alone',
        deadline: Date.now() + 30_000,
        kvResult: true,
        endorsingOrganizations: ['Org1MSP'],
      }),
    );
    expect(error).toMatchObject({ code: 'REJECTED_BY_CHAIN', stage: 'commit' });
    expect(error.detail?.code).toBe('ENDORSEMENT_POLICY_FAILURE');
    expect(error.txId).toMatch(/^[0-9a-f]{64}$/);
    // The ledger holds it, flagged invalid, and the state is untouched.
    const info = await fabric.org1.gateway.transaction(error.txId!);
    expect(info).toMatchObject({ valid: false, validationCode: 'ENDORSEMENT_POLICY_FAILURE', events: [] });
    expect(await org2.validationCode(error.txId!)).toBe(10);
    expect(await fabric.org1.kv.get(app, key)).toBeNull();
    expect(await fabric.org1.kv.history(app, key)).toEqual([]);
  });

  test('look-ups: malformed ids are INVALID_INPUT, unknown ones NOT_FOUND; health names the node', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect((await failure(fabric.org1.gateway.transaction('0x' + 'a'.repeat(64)))).code).toBe('INVALID_INPUT');
    expect((await failure(fabric.org1.gateway.transaction('e'.repeat(64)))).code).toBe('NOT_FOUND');
    expect((await failure(fabric.org1.gateway.block(10_000_000))).code).toBe('NOT_FOUND');
    const health = await fabric.org1.gateway.health();
    expect(health).toMatchObject({ ok: true, node: 'hyperledger-fabric/v2.5.9' });
    expect(health.height).toBe((await fabric.org1.gateway.block('latest')).number);
    expect(health.detail).toMatchObject({ channel: fabric.devnet.network.channel, contract: { contract: 'bsn-preset-kv' } });
  });

  test("evaluate runs get through the chaincode, also as a caller's own identity, and never writes", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('k');
    await put(key, 'read me');
    expect(text((await fabric.org1.gateway.evaluate({ app, method: 'get', args: [key] })).result)).toBe('read me');
    expect(text((await fabric.org1.gateway.evaluate({ app, method: 'get', args: [key] }, fabric.actors.outsider.signer)).result)).toBe(
      'read me',
    );
    expect((await failure(fabric.org1.gateway.evaluate({ app, method: 'put', args: [key, bytes('no')] }))).code).toBe('INVALID_INPUT');
    expect((await failure(fabric.org1.gateway.evaluate({ app, method: 'get', args: [unique('absent')] }))).code).toBe('NOT_FOUND');
  });
});
