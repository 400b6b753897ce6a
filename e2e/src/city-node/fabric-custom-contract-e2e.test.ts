/**
 * An app with its own chaincode through REST (and gRPC) on a real Fabric devnet (#19): the sample token
 * (adapters/fabric/samples/token) created as a dedicated app by a city node, minted and
 * transferred by function name, balances read and events streamed, upgraded to v2 by its owner
 * only — each fact also read on the chain by the peer itself (the devnets module's token reader:
 * the peer's _lifecycle sequence and the chaincode's own balanceOf, without the adapter).
 *
 * The node runs the Fabric plugin confined, granted the child processes its manifest declares
 * (isolation.allow: [child-process]): the chaincode servers it starts are confined by the adapter.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient, BsnGrpcClient, NodeResponseError, type EventMessage } from '@bsn/client';
import { CityNode, resolveNodeConfig } from '@bsn/city-node';
import { newKey, silentLogger } from '@bsn/city-node/testing';
import type { AppInfo, ChainAccount, TokenChainReader } from '@bsn/contract';
import fabricDevnets, { presetDevnet, type StartedFabricDevnet } from '@bsn/adapter-fabric/devnets';
import { certifiedCopy } from '../__fixtures__/ethereum-e2e.js';

const ADAPTER = join(import.meta.dirname, '..', '..', '..', 'adapters', 'fabric');
const availability = await presetDevnet().available();
if (!availability.ok) console.warn(`Fabric custom-contract e2e skipped: ${availability.reason}`);

function sample(version: 'v1' | 'v2'): { format: 'fabric-chaincode-node'; files: Record<string, string> } {
  const root = join(ADAPTER, 'samples', 'token', version);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(root);
  return { format: 'fabric-chaincode-node', files };
}

describe.skipIf(!availability.ok)('an app with its own chaincode through REST on Fabric', () => {
  let devnet: StartedFabricDevnet;
  let copy: Awaited<ReturnType<typeof certifiedCopy>>;
  let node: CityNode;
  let chain: TokenChainReader;
  const keys = { alice: newKey('secp256r1'), bob: newKey('sm2') };
  let alice: BsnClient;
  let bob: BsnClient;
  let aliceAccount: ChainAccount;
  let bobAccount: ChainAccount;
  /** The token app as the chain knows it (the node gives apps chain ids of its own). */
  let tokenApp: AppInfo;

  beforeAll(async () => {
    devnet = await presetDevnet().start();
    copy = await certifiedCopy(ADAPTER);
    chain = (await fabricDevnets.tokenSample!()).reader(devnet.network);
    const { framework: _f, name: _n, ...endpoint } = devnet.network as unknown as Record<string, unknown>;
    const config = resolveNodeConfig(
      {
        node: { name: 'e2e-fabric-custom', dataDir: join(copy.dir, 'node') },
        listen: { restPort: 0, grpcPort: 0 },
        keys: { scryptN: 1024 },
        trust: { certifiers: [copy.trustFile] },
        plugins: [
          {
            source: copy.plugin,
            certificate: copy.certificate,
            networks: [{ name: 'fabric', endpoint }],
            isolation: { enabled: true, allow: ['child-process'] },
          },
        ],
        portals: [
          {
            code: 'p1',
            users: [
              { code: 'alice', algorithm: 'secp256r1', publicKey: keys.alice.publicKey, role: 'admin' },
              { code: 'bob', algorithm: 'sm2', publicKey: keys.bob.publicKey },
            ],
          },
        ],
      },
      copy.dir,
    );
    node = await CityNode.start({ config, passphrase: 'e2e', logger: silentLogger });
    alice = new BsnClient({ baseUrl: node.restUrl, user: 'alice', algorithm: 'secp256r1', privateKey: keys.alice.privateKey });
    bob = new BsnClient({ baseUrl: node.restUrl, user: 'bob', algorithm: 'sm2', privateKey: keys.bob.privateKey });
    // The users' hosted Fabric accounts, as a preset app lists its members (its admin first).
    const probe = (await alice.createApp({ code: 'probe', framework: 'fabric', members: ['bob'] })) as { chain: { members: string[] } };
    const [a, b] = probe.chain.members.slice(-2);
    aliceAccount = { id: a! } as ChainAccount;
    bobAccount = { id: b! } as ChainAccount;
  }, 300_000);

  afterAll(async () => {
    await chain?.close?.();
    await node?.stop();
    await devnet?.stop();
    if (copy) await rm(copy.dir, { recursive: true, force: true });
  });

  test('the sample token created as a dedicated app, minted, transferred, read and streamed; checked on the peer', async () => {
    const created = (await alice.createApp({
      code: 'token',
      framework: 'fabric',
      placement: 'dedicated',
      members: ['bob'],
      contract: { kind: 'package', package: sample('v1'), call: { method: 'initialize', args: [aliceAccount.id] } },
    })) as { chain: AppInfo & { location: { channel: string; chaincode: string } } };
    tokenApp = created.chain;
    expect(created.chain.contract).toEqual({ kind: 'package', version: 1 });
    expect(await chain.code(tokenApp.appId)).toBe(`${created.chain.location.channel}/${created.chain.location.chaincode} sequence 1`);

    await alice.submit('token', 'mint', [bobAccount.id, '1000']);
    await bob.submit('token', 'transfer', [aliceAccount.id, '250']);
    expect(await chain.balance(tokenApp, bobAccount)).toBe(750n);
    expect(await chain.balance(tokenApp, aliceAccount)).toBe(250n);
    expect((await bob.evaluate('token', 'balanceOf', [bobAccount.id])).resultText).toBe('750');

    const events: EventMessage[] = [];
    for await (const e of alice.events('token', { limit: 2 })) events.push(e);
    expect(events.map((e) => [e.name, JSON.parse(e.payloadText!)])).toEqual([
      ['Transfer', { from: '', to: bobAccount.id, amount: '1000' }],
      ['Transfer', { from: bobAccount.id, to: aliceAccount.id, amount: '250' }],
    ]);

    // The same calls over gRPC: a transfer by name, the balance read back.
    const grpc = new BsnGrpcClient({ address: node.grpcAddress, user: 'bob', algorithm: 'sm2', privateKey: keys.bob.privateKey });
    try {
      await grpc.submit('token', 'transfer', [aliceAccount.id, '10']);
      const viaGrpc = (await grpc.evaluate('token', 'balanceOf', [bobAccount.id])) as { result: Uint8Array };
      expect(Buffer.from(viaGrpc.result).toString('utf8')).toBe('740');
    } finally {
      grpc.close();
    }
    await alice.submit('token', 'transfer', [bobAccount.id, '10']);
    expect(await chain.balance(tokenApp, bobAccount)).toBe(750n);

    // The token's own rule: only its owner mints; a typed answer, nothing moved.
    const notOwner = await bob.submit('token', 'mint', [bobAccount.id, '1']).catch((e: unknown) => e);
    expect(notOwner).toBeInstanceOf(NodeResponseError);
    expect(await chain.balance(tokenApp, bobAccount)).toBe(750n);
  }, 180_000);

  test('upgraded to v2 over REST by the owner only: sequence 2 on the peer, balances intact, burn callable', async () => {
    const v2 = { kind: 'package', package: sample('v2') };
    const byBob = (await bob
      .call('POST', '/v1/apps/token/upgrade', { app: 'token', body: { contract: v2 } })
      .catch((e: unknown) => e)) as NodeResponseError;
    expect([byBob.status, byBob.code]).toEqual([403, 'UNAUTHORIZED']);
    expect(await chain.code(tokenApp.appId)).toMatch(/ sequence 1$/);
    const upgraded = (await alice.call('POST', '/v1/apps/token/upgrade', { app: 'token', body: { contract: v2 } })) as {
      chain: { contract: { version: number } };
    };
    expect(upgraded.chain.contract.version).toBe(2);
    expect(await chain.code(tokenApp.appId)).toMatch(/ sequence 2$/);
    expect(await chain.balance(tokenApp, bobAccount)).toBe(750n);
    await bob.submit('token', 'burn', ['50']);
    expect(await chain.balance(tokenApp, bobAccount)).toBe(700n);
    expect((await bob.evaluate('token', 'totalSupply', [])).resultText).toBe('950');
  }, 180_000);
});
