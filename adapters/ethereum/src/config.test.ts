import { describe, expect, test } from 'vitest';
import { resolveConfig, DEFAULTS } from './config.js';

const base = {
  framework: 'ethereum',
  name: 'dev',
  rpcUrl: 'http://127.0.0.1:8545',
  chainId: 31337,
  confirmations: 0,
  faucet: { privateKey: '0x' + '11'.repeat(32) },
};
const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

describe('network config', () => {
  test('defaults are filled in', () => {
    const c = resolveConfig(base);
    expect(c.pollingIntervalMs).toBe(DEFAULTS.pollingIntervalMs);
    expect(c.faucet?.amountWei).toBe(DEFAULTS.faucetAmountWei);
    expect(c.registry).toBeUndefined();
  });

  test('addresses are read checksummed; a network without a faucet names its registry', () => {
    const c = resolveConfig({
      ...base,
      faucet: undefined,
      registry: registry.toLowerCase(),
      outbox: registry.toUpperCase().replace('0X', '0x'),
    } as never);
    expect(c.registry).toBe(registry);
    expect(c.outbox).toBe(registry);
    expect(c.faucet).toBeUndefined();
    expect(resolveConfig({ ...base, faucet: { ...base.faucet, amountWei: '5' } }).faucet?.amountWei).toBe(5n);
  });

  test.each([
    [{ rpcUrl: 'ws://x' }, '/rpcUrl'],
    [{ rpcUrl: 'http://' }, '/rpcUrl'],
    [{ rpcUrl: 'http://a b' }, '/rpcUrl'],
    [{ rpcUrl: 8545 }, '/rpcUrl'],
    [{ chainId: 0 }, '/chainId'],
    [{ chainId: 2 ** 60 }, '/chainId'],
    [{ confirmations: -1 }, '/confirmations'],
    [{ confirmations: 10_001 }, '/confirmations'],
    [{ faucet: { privateKey: '0x12' } }, '/faucet/privateKey'],
    [{ faucet: { privateKey: base.faucet.privateKey, amountWei: '0' } }, '/faucet/amountWei'],
    [{ faucet: { privateKey: base.faucet.privateKey, extra: 1 } }, '/faucet/extra'],
    [{ faucet: 'key' }, '/faucet'],
    [{ registry: 'nope' }, '/registry'],
    [{ registry: registry.replace('F', 'f') }, '/registry'],
    [{ outbox: '0x12' }, '/outbox'],
    [{ pollingIntervalMs: 1.5 }, '/pollingIntervalMs'],
    [{ requestTimeoutMs: 99 }, '/requestTimeoutMs'],
    [{ logRangeBlocks: 0 }, '/logRangeBlocks'],
    [{ surprise: true }, '/surprise'],
    [{ framework: 'fabric' }, '/framework'],
    [{ name: '' }, '/name'],
    [{ faucet: undefined }, '/registry'],
  ])('%o is INVALID_INPUT at %s', (patch, field) => {
    expect(() => resolveConfig({ ...base, ...patch } as never)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field }));
  });

  test('a refusal lists every violation against the shipped schema', () => {
    expect(() => resolveConfig({ ...base, chainId: 0, rpcUrl: 'ws://x' } as never)).toThrow(/network \/rpcUrl: .*\n.*network \/chainId: /s);
    expect(() => resolveConfig(null as never)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: '/' }));
  });
});
