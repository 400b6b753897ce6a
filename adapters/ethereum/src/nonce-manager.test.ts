import { afterAll, beforeAll, expect, test } from 'vitest';
import { Transaction } from 'ethers';
import type { AppInfo, ChainAccount, Signer } from '@bsn/contract';
import { bytes, text, unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, rpc, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';
import { addressOf, signTransaction } from './signer-bridge.js';

let devnet: StartedDevnet;
let adapter: EthereumAdapter;
let admin: { signer: Signer; account: ChainAccount };
let app: AppInfo;

beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
  adapter = await connect(devnet);
  admin = await actor(adapter);
  app = await adapter.lifecycle.create(
    {
      appId: unique('nonce'),
      name: 'nonces',
      framework: 'ethereum',
      mode: 'consortium',
      placement: 'shared',
      contract: { kind: 'preset-kv' },
      members: [],
    },
    admin.signer,
  );
});
afterAll(async () => {
  await adapter?.close();
  await devnet?.stop();
});

const nonceOf = async (address: string) => Number(await rpc<string>(devnet, 'eth_getTransactionCount', [address, 'latest']));

test('20 concurrent puts from one signer all commit, each once, with consecutive nonces', async () => {
  const before = await nonceOf(admin.account.id);
  const keys = Array.from({ length: 20 }, () => unique('k'));
  const receipts = await Promise.all(
    keys.map((key, i) => adapter.kv.put({ app, key, value: bytes(`v${i}`), requestId: unique('req') }, admin.signer)),
  );
  expect(new Set(receipts.map((r) => r.txId)).size).toBe(20);
  expect(await nonceOf(admin.account.id)).toBe(before + 20);
  const entries = (await adapter.kv.list(app, '')).entries;
  for (const [i, key] of keys.entries()) expect(text(entries.find((e) => e.key === key)!.value)).toBe(`v${i}`);
});

test('concurrent puts while blocks are mined in batches (several txs of one sender per block)', async () => {
  await rpc(devnet, 'evm_setAutomine', [false]);
  const miner = setInterval(() => void rpc(devnet, 'evm_mine').catch(() => undefined), 100);
  try {
    const keys = Array.from({ length: 10 }, () => unique('k'));
    const receipts = await Promise.all(
      keys.map((key) => adapter.kv.put({ app, key, value: bytes(key), requestId: unique('req') }, admin.signer)),
    );
    expect(new Set(receipts.map((r) => r.txId)).size).toBe(10);
    expect(new Set(receipts.map((r) => r.block.number)).size).toBeLessThan(10);
  } finally {
    clearInterval(miner);
    await rpc(devnet, 'evm_setAutomine', [true]);
  }
});

test('a nonce used behind the adapter’s back is detected and the write goes through with a fresh one', async () => {
  await adapter.kv.put({ app, key: unique('k'), value: bytes('warm'), requestId: unique('req') }, admin.signer);
  // Another process with the same key sends a transaction: the cached nonce is now stale.
  const from = addressOf(admin.signer.publicKey);
  const nonce = await nonceOf(from);
  const tx = Transaction.from({
    type: 2,
    chainId: 31337n,
    nonce,
    to: from,
    value: 1n,
    gasLimit: 21_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 10n ** 9n,
  });
  await rpc(devnet, 'eth_sendRawTransaction', [(await signTransaction(tx, admin.signer)).serialized]);
  const key = unique('k');
  const receipt = await adapter.kv.put({ app, key, value: bytes('after resync'), requestId: unique('req') }, admin.signer);
  expect(text((await adapter.kv.get(app, key))!.value)).toBe('after resync');
  expect(await nonceOf(from)).toBe(nonce + 2);
  expect(receipt.status).toBe('committed');
});

test('a signer that fails leaves no nonce gap behind', async () => {
  const from = addressOf(admin.signer.publicKey);
  const before = await nonceOf(from);
  let fail = true;
  const flaky: Signer = {
    algorithm: admin.signer.algorithm,
    publicKey: admin.signer.publicKey,
    signDigest: async (d) => {
      if (fail) throw new Error('signer unavailable');
      return admin.signer.signDigest(d);
    },
  };
  const results = await Promise.allSettled([
    adapter.kv.put({ app, key: unique('k'), value: bytes('x'), requestId: unique('req') }, flaky),
    adapter.kv.put({ app, key: unique('k'), value: bytes('y'), requestId: unique('req') }, admin.signer),
  ]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  fail = false;
  await adapter.kv.put({ app, key: unique('k'), value: bytes('z'), requestId: unique('req') }, flaky);
  expect(await nonceOf(from)).toBe(before + 2);
  const pending = Number(await rpc<string>(devnet, 'eth_getTransactionCount', [from, 'pending']));
  expect(pending).toBe(before + 2);
});

test('two managers sending for one key at once (two node instances): every send lands, or fails retryable — never CONFLICT', async () => {
  const other = await connect(devnet);
  try {
    const before = await nonceOf(admin.account.id);
    const sends = [adapter, other].flatMap((a) =>
      Array.from({ length: 12 }, () => a.kv.put({ app, key: unique('k'), value: bytes('v'), requestId: unique('req') }, admin.signer)),
    );
    const settled = await Promise.allSettled(sends);
    const landed = settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<{ txId: string }>).value.txId);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'UNAVAILABLE', stage: 'submit' });
    expect(new Set(landed).size).toBe(landed.length);
    expect(landed.length).toBeGreaterThan(12);
    expect(await nonceOf(admin.account.id)).toBe(before + landed.length);
  } finally {
    await other.close();
  }
});
