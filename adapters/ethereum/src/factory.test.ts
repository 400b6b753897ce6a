import { afterAll, beforeAll, expect, test } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { testContext } from '@bsn/contract/testing';
import { AnvilDevnet, connect, type StartedDevnet } from './__fixtures__/chains.js';
import factory, { createAdapterFactory } from './index.js';
import { freePort } from '@bsn/devnets';

let devnet: StartedDevnet;
beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
});
afterAll(async () => {
  await devnet?.stop();
});

test('the entry exports the factory as default and as createAdapterFactory', () => {
  expect(typeof factory.connect).toBe('function');
  expect(createAdapterFactory).toBe(factory);
});

test('a node that does not answer is UNAVAILABLE; a node on another chain is refused', async () => {
  const port = await freePort();
  const error = await factory.connect({ ...devnet.network, rpcUrl: `http://127.0.0.1:${port}` }, testContext()).catch((e: unknown) => e);
  expect(isBsnError(error, 'UNAVAILABLE')).toBe(true);
  expect((error as { detail?: { framework?: string } }).detail?.framework).toBe('ethereum');
  const wrong = await factory.connect({ ...devnet.network, chainId: 1 }, testContext()).catch((e: unknown) => e);
  expect(isBsnError(wrong, 'INVALID_INPUT') && wrong.field).toBe('/chainId');
  const bad = await factory.connect({ framework: 'ethereum', name: 'x' }, testContext()).catch((e: unknown) => e);
  // the schema's pointers, as the host reports them: the faucet-or-registry rule first, then every missing field
  expect(isBsnError(bad, 'INVALID_INPUT') && bad.field).toBe('/registry');
  expect((bad as Error).message).toMatch(
    /network \/rpcUrl: is required[\s\S]*network \/chainId: is required[\s\S]*network \/confirmations: is required/,
  );
});

test('close releases the connection, is idempotent, and later calls fail with a typed error', async () => {
  const adapter = await connect(devnet);
  expect((await adapter.gateway.health()).ok).toBe(true);
  await adapter.close();
  await adapter.close();
  const error = await adapter.gateway.block('latest').catch((e: unknown) => e);
  expect(isBsnError(error, 'UNAVAILABLE')).toBe(true);
  expect((await adapter.gateway.health()).ok).toBe(false);
});

test('a node going away mid-stream ends the event stream with a typed error, and health says so', async () => {
  const other = await new AnvilDevnet().start();
  const adapter = await connect(other);
  try {
    const { signer } = { signer: (await import('./__fixtures__/chains.js')).newSigner() };
    await adapter.identity.provision(signer);
    const app = await adapter.lifecycle.create(
      {
        appId: 'gone-1',
        name: 'x',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      signer,
    );
    const stream = adapter.gateway.events({ app })[Symbol.asyncIterator]();
    await other.stop();
    const error = await stream.next().catch((e: unknown) => e);
    expect(isBsnError(error, 'UNAVAILABLE')).toBe(true);
    expect((await adapter.gateway.health()).ok).toBe(false);
  } finally {
    await adapter.close();
    await other.stop();
  }
});
