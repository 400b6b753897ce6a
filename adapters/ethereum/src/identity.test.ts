import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ethereumAddress, privateKeySigner } from '@bsn/contract';
import { AnvilDevnet, connect, newSigner, rpc, type StartedDevnet } from './__fixtures__/chains.js';
import type { EthereumAdapter } from './adapter.js';

let devnet: StartedDevnet;
let adapter: EthereumAdapter;
beforeAll(async () => {
  devnet = await new AnvilDevnet().start();
  adapter = await connect(devnet);
});
afterAll(async () => {
  await adapter?.close();
  await devnet?.stop();
});

const balance = async (address: string) => BigInt(await rpc<string>(devnet, 'eth_getBalance', [address, 'latest']));

test('accountFor is the EIP-55 address of the key, deterministic, secp256k1 only', async () => {
  const signer = newSigner();
  const account = await adapter.identity.accountFor(signer.publicKey, 'secp256k1');
  expect(account).toEqual({
    framework: 'ethereum',
    algorithm: 'secp256k1',
    id: ethereumAddress(signer.publicKey),
    publicKey: Buffer.from(signer.publicKey).toString('hex'),
  });
  expect(await adapter.identity.accountFor(signer.publicKey, 'secp256k1')).toEqual(account);
  expect(adapter.identity.accountAlgorithms()).toEqual(['secp256k1']);
  await expect(adapter.identity.accountFor(signer.publicKey, 'sm2')).rejects.toMatchObject({ code: 'INVALID_INPUT', field: '/algorithm' });
  await expect(adapter.identity.accountFor(new Uint8Array(12), 'secp256k1')).rejects.toMatchObject({
    code: 'INVALID_INPUT',
    field: '/publicKey',
  });
  const p256 = privateKeySigner('secp256r1', randomBytes(32));
  await expect(adapter.identity.provision(p256)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
});

test('provision funds once from the faucet; concurrent and repeated provisions send nothing more', async () => {
  const signer = newSigner();
  const id = (await adapter.identity.accountFor(signer.publicKey, 'secp256k1')).id;
  expect(await balance(id)).toBe(0n);
  const faucet = devnet.network.faucet as { privateKey: string };
  const faucetAddress = ethereumAddress(privateKeySigner('secp256k1', Buffer.from(faucet.privateKey.slice(2), 'hex')).publicKey);
  const nonceBefore = Number(await rpc<string>(devnet, 'eth_getTransactionCount', [faucetAddress, 'latest']));
  const accounts = await Promise.all([
    adapter.identity.provision(signer),
    adapter.identity.provision(signer),
    adapter.identity.provision(signer),
  ]);
  expect(new Set(accounts.map((a) => a.id))).toEqual(new Set([id]));
  const funded = await balance(id);
  expect(funded).toBe(10n ** 20n);
  await adapter.identity.provision(signer);
  expect(await balance(id)).toBe(funded);
  expect(Number(await rpc<string>(devnet, 'eth_getTransactionCount', [faucetAddress, 'latest']))).toBe(nonceBefore + 1);
});
