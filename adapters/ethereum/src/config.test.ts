import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { resolveConfig, DEFAULTS } from './config.js';

const pkgFile = (name: string) => JSON.parse(readFileSync(new URL(`../${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const base = { framework: 'ethereum', name: 'dev', rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, confirmations: 0, faucet: { privateKey: '0x' + '11'.repeat(32) } };

describe('network config', () => {
  test('defaults are filled in', () => {
    const c = resolveConfig(base);
    expect(c.pollingIntervalMs).toBe(DEFAULTS.pollingIntervalMs);
    expect(c.faucet?.amountWei).toBe(DEFAULTS.faucetAmountWei);
    expect(c.registry).toBeUndefined();
  });

  test.each([
    [{ rpcUrl: 'ws://x' }, '/rpcUrl'],
    [{ chainId: 0 }, '/chainId'],
    [{ confirmations: -1 }, '/confirmations'],
    [{ faucet: { privateKey: '0x12' } }, '/faucet/privateKey'],
    [{ registry: 'nope' }, '/registry'],
    [{ outbox: '0x12' }, '/outbox'],
    [{ pollingIntervalMs: 1.5 }, '/pollingIntervalMs'],
    [{ surprise: true }, '/surprise'],
    [{ framework: 'fabric' }, '/framework'],
    [{ faucet: undefined }, '/registry'],
  ])('%o is INVALID_INPUT at %s', (patch, field) => {
    expect(() => resolveConfig({ ...base, ...patch } as never)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field }));
  });

  test('the shipped JSON schema accepts the devnet shape and refuses what resolveConfig refuses', async () => {
    const schema = pkgFile('network-config.schema.json');
    const { Ajv2020 } = await import('ajv/dist/2020.js').then((m) => ({ Ajv2020: (m as unknown as { default: new (o: object) => { compile(s: object): (v: unknown) => boolean } }).default }));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(base)).toBe(true);
    expect(validate({ ...base, registry: '0x' + 'ab'.repeat(20), faucet: undefined })).toBe(true);
    expect(validate({ ...base, faucet: undefined })).toBe(false);
    expect(validate({ ...base, surprise: 1 })).toBe(false);
  });
});
