import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CAPABILITIES, validateSchema } from '@bsn/contract';
import { resolveConfig, DEFAULTS } from './config.js';
import { describeAdapter } from './describe.js';
import { decodeRevert, toBsnError } from './errors.js';
import { appInterface } from './abi.js';
import { JsonRpcError } from './rpc.js';
import { LIMITS } from './limits.js';

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

describe('manifest and description', () => {
  const manifest = pkgFile('bsn-plugin.json') as { capabilities: string[]; keyAlgorithms: string[]; frameworkVersions: string[]; name: string; version: string; files: string[] };
  const pkg = pkgFile('package.json') as { name: string; version: string; files: string[] };

  test('the manifest is valid and claims exactly what describe() claims', () => {
    const result = validateSchema('plugin-manifest', manifest);
    expect(result).toEqual({ ok: true });
    const d = describeAdapter(3);
    expect(manifest.capabilities).toEqual(d.capabilities);
    expect(manifest.keyAlgorithms).toEqual(d.keyAlgorithms);
    expect(manifest.frameworkVersions).toEqual(d.frameworkVersions);
    expect([manifest.name, manifest.version]).toEqual([pkg.name, pkg.version]);
    expect([d.adapter.name, d.adapter.version]).toEqual([pkg.name, pkg.version]);
    expect(d.finality).toEqual({ kind: 'probabilistic', depth: 3 });
    for (const c of d.capabilities) expect(CAPABILITIES).toContain(c);
    // interchain evidence is claimed; delivery comes with a later release
    expect(d.capabilities.filter((c) => c.startsWith('interchain.'))).toEqual(['interchain.emit', 'interchain.evidence', 'interchain.verify']);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'artifacts', 'bsn-plugin.json', 'network-config.schema.json', 'README.md']));
  });

  test('limits meet the standard and match the contract constants', () => {
    expect(LIMITS.maxValueBytes).toBeGreaterThanOrEqual(4096);
    expect(LIMITS.maxKeyBytes).toBeGreaterThanOrEqual(256);
    const source = readFileSync(new URL('../contracts/BsnInput.sol', import.meta.url), 'utf8');
    expect(source).toContain(`MAX_VALUE_BYTES = ${LIMITS.maxValueBytes};`);
    expect(source).toContain(`MAX_KEY_BYTES = ${LIMITS.maxKeyBytes};`);
  });
});

describe('error mapping', () => {
  const revert = (name: string, args: unknown[]) => new JsonRpcError('eth_estimateGas', 3, 'execution reverted', appInterface.encodeErrorResult(name, args));

  test.each([
    ['NotMember', ['0x' + '12'.repeat(20)], 'UNAUTHORIZED'],
    ['NotAdmin', ['0x' + '12'.repeat(20)], 'UNAUTHORIZED'],
    ['AppFrozen', [], 'UNAUTHORIZED'],
    ['KeyNotFound', ['k'], 'NOT_FOUND'],
    ['InvalidInput', ['/key', 'empty key'], 'INVALID_INPUT'],
    ['AdminIsPermanentMember', ['0x' + '12'.repeat(20)], 'CONFLICT'],
    ['BadImplementation', ['0x' + '12'.repeat(20)], 'REJECTED_BY_CHAIN'],
  ])('%s reverts map to %s keeping the decoded reason and the JSON-RPC code', (name, args, code) => {
    const error = toBsnError(revert(name, args), { stage: 'prepare', txId: '0xabc' });
    expect(error.code).toBe(code);
    expect(error.detail).toMatchObject({ framework: 'ethereum', code: 3, data: { revert: { name }, txId: '0xabc' } });
    expect(error.detail?.message).toContain(name);
    if (name === 'InvalidInput') expect(error.field).toBe('/key');
  });

  test('Error(string) and Panic are decoded; node errors keep their words', () => {
    const reason = '0x08c379a0' + '0'.repeat(62) + '20' + '0'.repeat(62) + '05' + Buffer.from('nope!').toString('hex').padEnd(64, '0');
    expect(decodeRevert(reason)?.text).toBe('nope!');
    const funds = toBsnError(new JsonRpcError('eth_sendRawTransaction', -32000, 'insufficient funds for gas * price + value'), { stage: 'submit' });
    expect(funds).toMatchObject({ code: 'REJECTED_BY_CHAIN', detail: { code: -32000, message: 'insufficient funds for gas * price + value' } });
    expect(toBsnError(new JsonRpcError('eth_call', -32005, 'limit exceeded'), { stage: 'query' }).code).toBe('UNAVAILABLE');
  });
});
