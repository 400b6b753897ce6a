import { describe, expect, it } from 'vitest';
import type { Gateway, Receipt, Signer, SubmitRequest, TransactionInfo } from '../contract/index.js';
import { UnavailableError } from '../errors/errors.js';
import { CustomAppGateway, type CustomAppCalls, type CustomAppDirectory } from './custom-app-gateway.js';

const receipt = (by: string) => ({ txId: by }) as unknown as Receipt;
const request = (appId: string) => ({ app: { appId }, method: 'transfer', args: [] }) as unknown as SubmitRequest;
const signer = {} as Signer;

function setup(directory: Partial<CustomAppDirectory<string>> = {}) {
  const preset = {
    submit: async () => receipt('preset'),
    prepare: async () => ({ prepared: 'preset' }),
    transaction: async (txId: string) => ({ txId }) as unknown as TransactionInfo,
  } as unknown as Gateway;
  const apps: CustomAppDirectory<string> = {
    find: async (appId) => (appId.startsWith('token') ? `custom:${appId}` : undefined),
    isCustom: (appId) => appId.startsWith('token'),
    ...directory,
  };
  const custom = {
    submit: async (app: string) => receipt(app),
    describe: async (app: string, info: TransactionInfo) => ({ ...info, app }) as unknown as TransactionInfo,
  } as unknown as CustomAppCalls<string>;
  return new CustomAppGateway(preset, apps, custom, { framework: 'eos', name: 'EOS' });
}

describe('CustomAppGateway', () => {
  it('sends a call naming an app with its own contract to it, any other to the preset gateway', async () => {
    const gateway = setup();
    expect(await gateway.submit(request('token-1'), signer)).toEqual(receipt('custom:token-1'));
    expect(await gateway.submit(request('kv-1'), signer)).toEqual(receipt('preset'));
    expect(await gateway.transaction('tx', { appId: 'token-1' } as never)).toMatchObject({ txId: 'tx', app: 'custom:token-1' });
    expect(await gateway.transaction('tx')).toEqual({ txId: 'tx' });
  });

  it('refuses user-key mode for an app with its own contract, naming the chain', async () => {
    const refused = await setup()
      .prepare(request('token-1'), { publicKey: new Uint8Array(33), algorithm: 'secp256k1' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as UnavailableError).message).toContain('apps with their own contract on EOS');
    expect(await setup().prepare(request('kv-1'), { publicKey: new Uint8Array(33), algorithm: 'secp256k1' })).toEqual({
      prepared: 'preset',
    });
  });

  it('when the chain does not answer, an app known to run its own contract fails with that; another goes the preset way', async () => {
    const down = new UnavailableError('node down', { stage: 'query' });
    const gateway = setup({
      find: async () => {
        throw down;
      },
    });
    await expect(gateway.submit(request('token-1'), signer)).rejects.toBe(down);
    expect(await gateway.submit(request('kv-1'), signer)).toEqual(receipt('preset'));
    // A malformed app id is never looked up.
    expect(await gateway.submit(request('bad id!'), signer)).toEqual(receipt('preset'));
  });
});
