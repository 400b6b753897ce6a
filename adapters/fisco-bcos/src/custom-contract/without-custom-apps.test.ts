/**
 * A package app on a network whose config names no BsnCustomApps: refused naming the missing
 * network config field, not with the kit's "does not claim lifecycle.custom-contract" (the
 * manifest does claim it), and nothing sent — the chain's height read before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBsnError, type BsnError } from '@bsn/contract';
import { jsonRpc } from '@bsn/devnets';
import { startTestChain, type TestChain } from '../__fixtures__/fisco-chain.js';
import { fiscoTokenSample } from '../devnets/token-sample.js';
import { refusePackageWithoutCustomApps } from './without-custom-apps.js';

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('refusePackageWithoutCustomApps', () => {
  it('refuses a package at /contract/kind, naming the network config field customApps', () => {
    const error = caught(() => refusePackageWithoutCustomApps({ kind: 'package', package: {} }, 'net-a'));
    expect(isBsnError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/contract/kind',
      detail: { data: { networkConfigField: '/customApps' } },
    });
    expect((error as BsnError).message).toMatch(/network net-a .*network config has no customApps/);
  });

  it('leaves every other contract to the preset path and the kit', () => {
    for (const contract of [{ kind: 'preset-kv' }, { kind: 'custom' }, { kind: 'nope' }, null, undefined, 'package'])
      expect(caught(() => refusePackageWithoutCustomApps(contract, 'net-a'))).toBeUndefined();
  });
});

describe('a package app on an emulated network with no customApps (emulator)', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain('standard');
  }, 60_000);
  afterAll(() => chain?.close());

  it('is refused by the adapter naming customApps, with nothing sent to the chain', async () => {
    expect(chain.network.customApps).toBeUndefined();
    const sample = await fiscoTokenSample(chain.network);
    const admin = chain.signer();
    const owner = await chain.adapter.identity.provision(admin);
    const height = () => jsonRpc<number>(chain.network.rpcUrl, 'getBlockNumber', ['group0', '']);
    const before = await height();
    const error = await chain.adapter.lifecycle
      .create(
        {
          appId: 'token-without-registry',
          name: 'sample token',
          framework: 'fisco-bcos',
          mode: 'consortium',
          placement: 'shared',
          contract: sample.v1(owner),
          members: [],
        },
        admin,
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: '/contract/kind' });
    expect((error as BsnError).message).toMatch(/customApps/);
    expect((error as BsnError).message).not.toMatch(/does not claim/);
    expect(await height()).toBe(before);
    expect(await chain.adapter.lifecycle.get({ appId: 'token-without-registry' }).catch((e: BsnError) => e.code)).toBe('NOT_FOUND');
  });
});
