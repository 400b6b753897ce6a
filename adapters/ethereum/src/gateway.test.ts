import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PRESET_EVENTS, PRESET_METHODS, isBsnError, type AppInfo, type ChainAccount, type Receipt, type Signer } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, rpc, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';

let devnet: StartedDevnet;
let adapter: EthereumAdapter;
let admin: { signer: Signer; account: ChainAccount };
let member: { signer: Signer; account: ChainAccount };
let outsider: { signer: Signer; account: ChainAccount };
let app: AppInfo;

beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
  adapter = await connect(devnet);
  [admin, member, outsider] = await Promise.all([actor(adapter), actor(adapter), actor(adapter)]);
  app = await adapter.lifecycle.create(
    {
      appId: unique('gw'),
      name: 'gateway',
      framework: 'ethereum',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members: [member.account],
    },
    admin.signer,
  );
});
afterAll(async () => {
  await adapter?.close();
  await devnet?.stop();
});

const put = (key: string, value: string, requestId = unique('req'), signer = member.signer) =>
  adapter.gateway.submit({ app, method: PRESET_METHODS.put, args: [key, bytes(value)], requestId }, signer);

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

/** The receipt agrees with what the node itself says about the transaction and its block. */
async function checkAgainstLedger(receipt: Receipt) {
  const raw = await rpc<{ blockNumber: string; blockHash: string; status: string; transactionHash: string }>(
    devnet,
    'eth_getTransactionReceipt',
    [receipt.txId],
  );
  expect(raw.status).toBe('0x1');
  expect(Number(raw.blockNumber)).toBe(receipt.block.number);
  expect(raw.blockHash).toBe(receipt.block.hash);
  const block = await rpc<{ hash: string; timestamp: string; transactions: string[] }>(devnet, 'eth_getBlockByNumber', [
    raw.blockNumber,
    false,
  ]);
  expect(block.transactions).toContain(receipt.txId);
  expect(receipt.timestamp).toBe(Number(block.timestamp) * 1000);
  const info = await adapter.gateway.block(receipt.block.number);
  expect(info).toMatchObject({ number: receipt.block.number, hash: receipt.block.hash });
  expect(info.txIds).toContain(receipt.txId);
}

describe('submit', () => {
  test('returns a committed receipt that matches the ledger, with the app events', async () => {
    const key = unique('k');
    const receipt = await put(key, 'v1');
    expect(receipt.status).toBe('committed');
    expect(receipt.txId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(receipt.events.map((e) => [e.app, e.name, text(e.payload), e.txId])).toEqual([
      [app.appId, PRESET_EVENTS.put, key, receipt.txId],
    ]);
    await checkAgainstLedger(receipt);
    const tx = await adapter.gateway.transaction(receipt.txId);
    expect(tx).toMatchObject({
      txId: receipt.txId,
      block: receipt.block,
      valid: true,
      validationCode: '0x1',
      app: app.appId,
      method: 'put',
    });
    expect(tx.events.map((e) => e.name)).toEqual([PRESET_EVENTS.put]);
    expect(text((await adapter.kv.get(app, key))!.value)).toBe('v1');
  });

  test('is idempotent on the request id: same txId, one write', async () => {
    const key = unique('k');
    const requestId = unique('req');
    const first = await put(key, 'once', requestId);
    const second = await put(key, 'once', requestId);
    expect(second).toEqual(first);
    const history = await adapter.kv.history(app, key);
    expect(history.map((h) => h.txId)).toEqual([first.txId]);
  });

  test('concurrent submits of one request id produce one transaction', async () => {
    const key = unique('k');
    const requestId = unique('req');
    const receipts = await Promise.all([put(key, 'race', requestId), put(key, 'race', requestId), put(key, 'race', requestId)]);
    expect(new Set(receipts.map((r) => r.txId)).size).toBe(1);
    expect(await adapter.kv.history(app, key)).toHaveLength(1);
  });

  test('the same request id with other content is a CONFLICT and writes nothing', async () => {
    const key = unique('k');
    const requestId = unique('req');
    const first = await put(key, 'a', requestId);
    const error = await failure(put(key, 'b', requestId));
    expect(error.code).toBe('CONFLICT');
    expect(error.field).toBe('/requestId');
    expect(error.txId).toBe(first.txId);
    // Another sender reusing the id is another request too.
    expect((await failure(put(key, 'a', requestId, admin.signer))).code).toBe('CONFLICT');
    // …and so is another method.
    expect((await failure(adapter.gateway.submit({ app, method: 'delete', args: [key], requestId }, member.signer))).code).toBe('CONFLICT');
    expect(text((await adapter.kv.get(app, key))!.value)).toBe('a');
    expect(await adapter.kv.history(app, key)).toHaveLength(1);
  });

  test('a request id that ran returns its first receipt even when the contract now refuses for another reason', async () => {
    // The contract checks membership and freezing before the request id: the refusal must not hide the first execution.
    const key = unique('k');
    const requestId = unique('req');
    const first = await put(key, 'before', requestId);
    await adapter.lifecycle.freeze(app, admin.signer);
    try {
      expect(await put(key, 'before', requestId)).toEqual(first);
      expect((await failure(put(key, 'before', requestId, outsider.signer))).code).toBe('CONFLICT');
      expect((await failure(put(key, 'other', requestId))).code).toBe('CONFLICT');
      expect((await failure(put(key, 'new', unique('req')))).code).toBe('UNAUTHORIZED');
    } finally {
      await adapter.lifecycle.unfreeze(app, admin.signer);
    }
    expect(await adapter.kv.history(app, key)).toHaveLength(1);
  });

  test('a revert keeps its decoded reason, the JSON-RPC code and nothing is written', async () => {
    const key = unique('k');
    const error = await failure(put(key, 'intruder', unique('req'), outsider.signer));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.detail).toMatchObject({
      framework: 'ethereum',
      code: 3,
      data: { revert: { name: 'NotMember', args: { account: outsider.account.id } } },
    });
    expect(error.detail?.message).toContain('NotMember');
    expect(await adapter.kv.get(app, key)).toBeNull();
  });

  test('a revert that happens on chain (not in estimation) is decoded from the mined tx', async () => {
    // Two deletes of the same key sent together: both estimate fine, the second reverts when mined.
    const key = unique('k');
    await put(key, 'doomed');
    await rpc(devnet, 'evm_setAutomine', [false]);
    try {
      const del = (id: string) => adapter.kv.delete({ app, key, requestId: id }, member.signer);
      const both = Promise.allSettled([del(unique('req')), del(unique('req'))]);
      await new Promise((r) => setTimeout(r, 300));
      await rpc(devnet, 'evm_mine');
      const [a, b] = await both;
      expect(a.status).toBe('fulfilled');
      expect(b.status).toBe('rejected');
      const error = (b as PromiseRejectedResult).reason;
      expect(isBsnError(error, 'NOT_FOUND')).toBe(true);
      expect(error.stage).toBe('commit');
      expect(error.txId).toMatch(/^0x[0-9a-f]{64}$/);
      expect((await adapter.gateway.transaction(error.txId)).valid).toBe(false);
    } finally {
      await rpc(devnet, 'evm_setAutomine', [true]);
    }
  });

  test('malformed requests are INVALID_INPUT naming the field, before anything is sent', async () => {
    const key = unique('k');
    const cases: Array<[Promise<unknown>, string]> = [
      [adapter.gateway.submit({ app, method: 'put', args: [key, bytes('v')], requestId: 'bad id' }, member.signer), '/requestId'],
      [adapter.gateway.submit({ app, method: '', args: [], requestId: unique('r') }, member.signer), '/method'],
      [adapter.gateway.submit({ app, method: 'transfer', args: [], requestId: unique('r') }, member.signer), '/method'],
      [adapter.gateway.submit({ app, method: 'get', args: [key], requestId: unique('r') }, member.signer), '/method'],
      [adapter.gateway.submit({ app, method: 'put', args: [key, 7 as never], requestId: unique('r') }, member.signer), '/args/1'],
      [adapter.gateway.submit({ app, method: 'put', args: [key, 'not bytes'], requestId: unique('r') }, member.signer), '/args/1'],
      [adapter.gateway.submit({ app, method: 'put', args: ['', bytes('v')], requestId: unique('r') }, member.signer), '/args/0'],
      [adapter.gateway.submit({ app, method: 'put', args: [key], requestId: unique('r') }, member.signer), '/args/1'],
      [adapter.gateway.submit({ app, method: 'put', args: [key, bytes('v'), 'extra'], requestId: unique('r') }, member.signer), '/args'],
      [
        adapter.gateway.submit({ app: {} as never, method: 'put', args: [key, bytes('v')], requestId: unique('r') }, member.signer),
        '/app/appId',
      ],
    ];
    for (const [promise, field] of cases) {
      const error = await failure(promise);
      expect([error.code, error.field]).toEqual(['INVALID_INPUT', field]);
    }
    expect(await adapter.kv.history(app, key)).toEqual([]);
  });

  test('an unknown app is NOT_FOUND', async () => {
    const error = await failure(
      adapter.gateway.submit(
        { app: { appId: unique('nope') }, method: 'put', args: ['k', bytes('v')], requestId: unique('r') },
        member.signer,
      ),
    );
    expect(error.code).toBe('NOT_FOUND');
  });
});

describe('evaluate', () => {
  test('reads through the contract; missing keys are NOT_FOUND; write methods are refused', async () => {
    const key = unique('k');
    await put(key, 'read me');
    const read = await adapter.gateway.evaluate({ app, method: PRESET_METHODS.get, args: [key] });
    expect(text(read.result)).toBe('read me');
    expect(read.block).toBeGreaterThan(0);
    expect((await failure(adapter.gateway.evaluate({ app, method: 'get', args: [unique('absent')] }))).code).toBe('NOT_FOUND');
    const write = await failure(adapter.gateway.evaluate({ app, method: 'put', args: [key, bytes('x')] }, member.signer));
    expect([write.code, write.field]).toEqual(['INVALID_INPUT', '/method']);
    expect(await adapter.kv.history(app, key)).toHaveLength(1);
  });
});

describe('user-key mode', () => {
  const account = () => ({ publicKey: member.signer.publicKey, algorithm: member.signer.algorithm });

  test('prepare → client signs the digest → submitPrepared commits; resubmission returns the first receipt', async () => {
    const key = unique('k');
    const request = { app, method: 'put', args: [key, bytes('client-signed')], requestId: unique('req') };
    const prepared = await adapter.gateway.prepare(request, account());
    expect(prepared.digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(prepared.expiresAt).toBeGreaterThan(Date.now());
    expect(prepared.publicKey).toBe(member.account.publicKey);
    const { compact } = await member.signer.signDigest(Buffer.from(prepared.digest.slice(2), 'hex'));
    // No recovery id: the adapter works it out.
    const receipt = await adapter.gateway.submitPrepared(prepared, { compact });
    await checkAgainstLedger(receipt);
    expect(text((await adapter.kv.get(app, key))!.value)).toBe('client-signed');
    expect(await adapter.gateway.submitPrepared(prepared, { compact })).toEqual(receipt);
    // The same request in hosted mode is the same request.
    expect((await adapter.gateway.submit(request, member.signer)).txId).toBe(receipt.txId);
  });

  test('a signature by another key is UNAUTHORIZED; a tampered payload or an expired one is refused', async () => {
    const key = unique('k');
    const prepared = await adapter.gateway.prepare({ app, method: 'put', args: [key, bytes('x')], requestId: unique('req') }, account());
    const forged = await outsider.signer.signDigest(Buffer.from(prepared.digest.slice(2), 'hex'));
    expect((await failure(adapter.gateway.submitPrepared(prepared, forged))).code).toBe('UNAUTHORIZED');
    const good = await member.signer.signDigest(Buffer.from(prepared.digest.slice(2), 'hex'));
    const tampered = { ...prepared, request: { ...prepared.request, args: [key, bytes('y')] } };
    expect((await failure(adapter.gateway.submitPrepared(tampered, good))).code).toBe('INVALID_INPUT');
    expect((await failure(adapter.gateway.submitPrepared({ ...prepared, expiresAt: Date.now() - 1 }, good))).code).toBe('CONFLICT');
    expect(await adapter.kv.get(app, key)).toBeNull();
  });

  test('a prepared tx whose nonce was used meanwhile is a CONFLICT (prepare again)', async () => {
    const prepared = await adapter.gateway.prepare(
      { app, method: 'put', args: [unique('k'), bytes('late')], requestId: unique('req') },
      account(),
    );
    await put(unique('k'), 'meanwhile');
    const sig = await member.signer.signDigest(Buffer.from(prepared.digest.slice(2), 'hex'));
    const error = await failure(adapter.gateway.submitPrepared(prepared, sig));
    expect(error.code).toBe('CONFLICT');
  });

  test('prepare refuses what the contract would refuse', async () => {
    const error = await failure(
      adapter.gateway.prepare(
        { app, method: 'put', args: [unique('k'), bytes('x')], requestId: unique('req') },
        { publicKey: outsider.signer.publicKey, algorithm: 'secp256k1' },
      ),
    );
    expect(error.code).toBe('UNAUTHORIZED');
  });
});

describe('look-ups and health', () => {
  test('blocks and transactions: latest is final, unknown ones NOT_FOUND, malformed INVALID_INPUT', async () => {
    const latest = await adapter.gateway.block('latest');
    expect(latest.number).toBe(Number(await rpc<string>(devnet, 'eth_blockNumber')));
    expect(latest.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const genesis = await adapter.gateway.block(0);
    expect(genesis.number).toBe(0);
    expect((await failure(adapter.gateway.block(latest.number + 1_000_000))).code).toBe('NOT_FOUND');
    expect((await failure(adapter.gateway.transaction('0x' + 'f'.repeat(64)))).code).toBe('NOT_FOUND');
    expect((await failure(adapter.gateway.block(-1))).code).toBe('INVALID_INPUT');
    expect((await failure(adapter.gateway.block(1.5))).code).toBe('INVALID_INPUT');
    expect((await failure(adapter.gateway.transaction('not a tx id'))).code).toBe('INVALID_INPUT');
  });

  test('health reports the node, height and latency', async () => {
    const health = await adapter.gateway.health();
    expect(health.ok).toBe(true);
    expect(health.node).toMatch(/anvil/i);
    expect(health.height).toBeGreaterThan(0);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.detail).toMatchObject({ chainId: 31337, registry: adapter.registryAddress });
  });
});
