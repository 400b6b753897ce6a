// Apps that bring their own chaincode, on the real devnet: the sample token deployed as an app
// through _lifecycle, called by function name, its events streamed, upgraded (and the upgrades
// that must fail failing with the old version serving), every outcome read from the peers
// themselves — each org's own _lifecycle and its own evaluation of the chaincode.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect as connectGateway, hash, signers } from '@hyperledger/fabric-gateway';
import { peer as peerProtos } from '@hyperledger/fabric-protos';
import type { AppSpec, ChainEvent, ContractSource } from '@bsn/contract';
import { takeEvents, testContext, text, unique } from '@bsn/contract/testing';
import type { FabricAdapter } from '../adapter.js';
import type { FabricNetworkConfig } from '../config.js';
import type { FabricNetworkConfig as DevnetNetworkConfig } from '../devnets/index.js';
import factory from '../index.js';
import { peerGrpcClient } from '../peer-grpc.js';
import { actor, failure, refusal, useFabricNetwork, type Actor } from '../__fixtures__/network.js';
import { chaincodeNameOf } from './custom-apps.js';

const fabric = useFabricNetwork({ what: 'the Fabric custom-contract tests' });
const SAMPLES = fileURLToPath(new URL('../../samples/token/', import.meta.url));

/** Every file of a folder as a package's `files` (relative path → base64). */
function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(dir);
  return out;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const manifest = (name: string) => b64(JSON.stringify({ name, main: 'index.js', scripts: { start: 'fabric-chaincode-node start' } }));
/** A one-file chaincode package around a contract class body. */
const inline = (name: string, body: string, header = ''): ContractSource => ({
  kind: 'package',
  package: {
    format: 'fabric-chaincode-node',
    files: {
      'package.json': manifest(name),
      'index.js': b64(
        `'use strict';\n${header}\nconst { Contract } = require('fabric-contract-api');\nclass C extends Contract {\n${body}\n}\nmodule.exports.contracts = [C];\n`,
      ),
    },
  },
});
const token = (version: 'v1' | 'v2', call?: { method: string; args: string[] }): ContractSource => ({
  kind: 'package',
  package: { format: 'fabric-chaincode-node', files: filesOf(join(SAMPLES, version)) },
  ...(call && { call }),
});

const spec = (appId: string, contract: ContractSource, placement: AppSpec['placement'], members: Actor[] = []): AppSpec => ({
  appId,
  name: 'custom',
  framework: 'fabric',
  mode: 'consortium',
  placement,
  contract,
  members: members.map((m) => m.account),
});

/**
 * One org's peer, asked directly by that org's own client user (not through the adapter):
 * its `_lifecycle` definition of a chaincode and its own evaluation of a chaincode function.
 */
function orgPeer(network: DevnetNetworkConfig, mspId: string) {
  const org = network.organizations.find((o) => o.mspId === mspId)!;
  const client = peerGrpcClient(org.peers[0]!);
  const gateway = connectGateway({
    client,
    identity: { mspId, credentials: Buffer.from(org.user.certificate) },
    signer: signers.newPrivateKeySigner(createPrivateKey(org.user.privateKey)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
  });
  // The peer answers an org's approvals to its admins only.
  const admin = connectGateway({
    client,
    identity: { mspId, credentials: Buffer.from(org.admin.certificate) },
    signer: signers.newPrivateKeySigner(createPrivateKey(org.admin.privateKey)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
  });
  return {
    /** The committed sequence of `name` on `channel`, 0 when none is committed. */
    async sequence(channel: string, name: string): Promise<number> {
      const args = new peerProtos.lifecycle.QueryChaincodeDefinitionArgs();
      args.setName(name);
      try {
        const bytes = await gateway
          .getNetwork(channel)
          .getContract('_lifecycle')
          .evaluateTransaction('QueryChaincodeDefinition', args.serializeBinary());
        return Number(peerProtos.lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(bytes).getSequence());
      } catch (error) {
        if (/namespace \S+ is not defined/.test(JSON.stringify((error as { details?: unknown }).details ?? '') + String(error))) return 0;
        throw error;
      }
    },
    /** Whether this org approved `sequence` of `name` on `channel` (its own approval, read from its peer). */
    async approved(channel: string, name: string, sequence: number): Promise<boolean> {
      const args = new peerProtos.lifecycle.QueryApprovedChaincodeDefinitionArgs();
      args.setName(name);
      args.setSequence(sequence);
      try {
        await admin
          .getNetwork(channel)
          .getContract('_lifecycle')
          .evaluateTransaction('QueryApprovedChaincodeDefinition', args.serializeBinary());
        return true;
      } catch (error) {
        if (/could not fetch approved/i.test(JSON.stringify((error as { details?: unknown }).details ?? '') + String(error))) return false;
        throw error;
      }
    },
    async call(channel: string, name: string, fn: string, ...args: string[]): Promise<string> {
      return text(
        await gateway
          .getNetwork(channel)
          .getContract(name)
          .evaluateTransaction(fn, ...args),
      );
    },
    close() {
      gateway.close();
      admin.close();
      client.close();
    },
  };
}

type OrgPeer = ReturnType<typeof orgPeer>;
let org1: FabricAdapter;
let peers: OrgPeer[] = [];
let alice: Actor;
let bob: Actor;
let dataDir: string;
/** Temp folders this file made, removed at the end. */
const scratch: string[] = [];

beforeAll(async () => {
  if (fabric.skipped) return;
  dataDir = mkdtempSync(join(tmpdir(), 'bsn-custom-cc-'));
  scratch.push(dataDir);
  org1 = (await factory.connect(fabric.devnet.network, testContext(dataDir))) as FabricAdapter;
  alice = await actor(org1);
  bob = await actor(org1);
  peers = ['Org1MSP', 'Org2MSP'].map((m) => orgPeer(fabric.devnet.network, m));
}, 60_000);

afterAll(async () => {
  for (const p of peers) p.close();
  await org1?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** The sequence every org's own peer reports (one value when they agree). */
const sequences = (channel: string, appId: string) => Promise.all(peers.map((p) => p.sequence(channel, chaincodeNameOf(appId))));

describe('a bad package deploys nothing', () => {
  test('refused before any chain is touched, naming the field; a chaincode that throws at start likewise', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const channel = fabric.devnet.network.channel;
    const noStart = token('v1');
    const pkg = (noStart as { package: { files: Record<string, string> } }).package;
    pkg.files['package.json'] = b64(JSON.stringify({ name: 'x', main: 'index.js' }));
    const undeclared = inline('leftpad', 'async f() { return "1"; }');
    (undeclared as { package: { files: Record<string, string> } }).package.files['package.json'] = b64(
      JSON.stringify({
        name: 'x',
        main: 'index.js',
        scripts: { start: 'fabric-chaincode-node start' },
        dependencies: { 'left-pad': '1.3.0' },
      }),
    );
    const throwsAtStart = inline('boom', 'async f() { return "1"; }', "throw new Error('boom at start');");
    const throwsInConstructor = inline('ctor', 'constructor() { super("C"); throw new Error("no"); }\n async f() { return "1"; }');
    const cases: Array<[ContractSource, string, string]> = [
      [noStart, 'INVALID_INPUT /contract/package/files/package.json', 'scripts.start'],
      [undeclared, 'INVALID_INPUT /contract/package/files/package.json', 'left-pad'],
      [throwsAtStart, 'INVALID_INPUT /contract/package', 'boom at start'],
      [throwsInConstructor, 'INVALID_INPUT /contract/package', 'Error: no'],
    ];
    for (const [contract, expected, words] of cases) {
      const appId = unique('cc-bad');
      const height = await fabric.devnet.height();
      const error = await failure(org1.lifecycle.create(spec(appId, contract, 'shared'), alice.signer));
      expect([appId, `${error.code} ${error.field}`]).toEqual([appId, expected]);
      expect(error.message).toContain(words);
      expect(await refusal(org1.lifecycle.get({ appId }))).toBe('NOT_FOUND');
      expect(await sequences(channel, appId)).toEqual([0, 0]);
      expect(await fabric.devnet.height()).toBe(height);
    }
  }, 120_000);
});

describe('the sample token as an app with its own chaincode (dedicated channel)', () => {
  const appId = unique('cc-token');
  let channel: string;

  test('deployed through _lifecycle by both orgs, initialized, minted, transferred, events streamed', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const started = performance.now();
    const info = await org1.lifecycle.create(
      spec(appId, token('v1', { method: 'initialize', args: [alice.account.id] }), 'dedicated', [bob]),
      alice.signer,
    );
    console.info(`custom app create (dedicated channel + _lifecycle sequence 1): ${Math.round(performance.now() - started)} ms`);
    channel = info.location.channel!;
    expect(info.contract).toEqual({ kind: 'package', version: 1 });
    expect(info.location.chaincode).toBe(chaincodeNameOf(appId));
    expect(channel).not.toBe(fabric.devnet.network.channel);
    expect(await sequences(channel, appId)).toEqual([1, 1]);

    const mint = await org1.gateway.submit(
      { app: { appId }, method: 'mint', args: [alice.account.id, '1000'], requestId: unique('r') },
      alice.signer,
    );
    expect(text(mint.result!)).toBe('1000');
    expect(mint.events.map((e) => [e.name, JSON.parse(text(e.payload))])).toEqual([
      ['Transfer', { from: '', to: alice.account.id, amount: '1000' }],
    ]);
    const transfer = await org1.gateway.submit(
      { app: { appId }, method: 'transfer', args: [bob.account.id, '250'], requestId: unique('r') },
      alice.signer,
    );
    // Bob, a member, moves some back with his own key.
    await org1.gateway.submit({ app: { appId }, method: 'transfer', args: [alice.account.id, '50'], requestId: unique('r') }, bob.signer);
    expect(text((await org1.gateway.evaluate({ app: { appId }, method: 'balanceOf', args: [bob.account.id] })).result)).toBe('200');

    // On each org's peer, asked by that org's own user.
    for (const p of peers) {
      expect(await p.call(channel, chaincodeNameOf(appId), 'balanceOf', alice.account.id)).toBe('800');
      expect(await p.call(channel, chaincodeNameOf(appId), 'balanceOf', bob.account.id)).toBe('200');
      expect(await p.call(channel, chaincodeNameOf(appId), 'totalSupply')).toBe('1000');
    }
    const events: ChainEvent[] = await takeEvents(org1.gateway, { app: { appId } }, 3, 20_000);
    expect(events.map((e) => [e.app, e.name, JSON.parse(text(e.payload)).amount])).toEqual([
      [appId, 'Transfer', '1000'],
      [appId, 'Transfer', '250'],
      [appId, 'Transfer', '50'],
    ]);
    expect(events[1]!.txId).toBe(transfer.txId);
    const looked = await org1.gateway.transaction(transfer.txId, { appId });
    expect([looked.app, looked.method, looked.events.map((e) => e.name)]).toEqual([appId, 'transfer', ['Transfer']]);
    // A non-member's write is refused before it is sent; the chain is unchanged.
    const carol = await actor(org1);
    expect(
      await refusal(
        org1.gateway.submit({ app: { appId }, method: 'transfer', args: [carol.account.id, '1'], requestId: unique('r') }, carol.signer),
      ),
    ).toBe('UNAUTHORIZED');
    expect(await peers[1]!.call(channel, chaincodeNameOf(appId), 'balanceOf', alice.account.id)).toBe('800');
  }, 240_000);

  test('frozen through the adapter: the very next write is refused (not a second later), nothing moves on either peer; unfrozen, writes go through', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const transfer = (to: Actor, signer: Actor) =>
      org1.gateway.submit({ app: { appId }, method: 'transfer', args: [to.account.id, '1'], requestId: unique('r') }, signer.signer);
    // The adapter's look-up of the app is fresh (it keeps answers up to a second) when the freeze commits.
    await org1.gateway.evaluate({ app: { appId }, method: 'balanceOf', args: [bob.account.id] });
    await org1.lifecycle.freeze({ appId }, alice.signer);
    expect(await refusal(transfer(bob, alice))).toBe('UNAUTHORIZED');
    for (const p of peers) expect(await p.call(channel, chaincodeNameOf(appId), 'balanceOf', bob.account.id)).toBe('200');
    await org1.lifecycle.unfreeze({ appId }, alice.signer);
    await transfer(bob, alice);
    await transfer(alice, bob);
    for (const p of peers) expect(await p.call(channel, chaincodeNameOf(appId), 'balanceOf', bob.account.id)).toBe('200');
  }, 60_000);

  test('upgrades that must fail leave sequence 1 serving: a non-owner, a chaincode that throws at start, one org refusing after another approved', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(await refusal(org1.lifecycle.upgrade({ appId }, token('v2'), bob.signer))).toBe('UNAUTHORIZED /admin');
    expect(await sequences(channel, appId)).toEqual([1, 1]);

    const broken = token('v2');
    (broken as { package: { files: Record<string, string> } }).package.files['index.js'] = b64("throw new Error('v2 cannot start');");
    expect(await refusal(org1.lifecycle.upgrade({ appId }, broken, alice.signer))).toBe('INVALID_INPUT /contract/package');
    expect(await sequences(channel, appId)).toEqual([1, 1]);

    // Org2's "admin" in this node's config is its client user: Org1 installs and approves
    // sequence 2, then Org2's peer refuses the client user's install (not an admin).
    const network = structuredClone(fabric.devnet.network) as unknown as FabricNetworkConfig;
    const org2 = network.organizations[1] as unknown as { admin: unknown; user: unknown };
    org2.admin = org2.user;
    const misconfiguredDir = mkdtempSync(join(tmpdir(), 'bsn-custom-cc-'));
    scratch.push(misconfiguredDir);
    const misconfigured = (await factory.connect(network, testContext(misconfiguredDir))) as FabricAdapter;
    try {
      const refused = await failure(misconfigured.lifecycle.upgrade({ appId }, token('v2'), alice.signer));
      console.info(`upgrade refused on Org2's peer after Org1 approved: ${refused.code} ${refused.message}`);
      expect(refused.message).toContain("Org2MSP's peer");
      // Org1 had approved sequence 2 before Org2's peer refused: an approval, never committed.
      expect(await peers[0]!.approved(channel, chaincodeNameOf(appId), 2)).toBe(true);
      expect(await peers[1]!.approved(channel, chaincodeNameOf(appId), 2)).toBe(false);
    } finally {
      await misconfigured.close();
    }
    expect(await sequences(channel, appId)).toEqual([1, 1]);
    // v1 still serves: a write goes through, and v2's method does not exist.
    await org1.gateway.submit({ app: { appId }, method: 'transfer', args: [bob.account.id, '1'], requestId: unique('r') }, alice.signer);
    for (const p of peers) expect(await p.call(channel, chaincodeNameOf(appId), 'balanceOf', bob.account.id)).toBe('201');
    expect(await refusal(org1.gateway.evaluate({ app: { appId }, method: 'version', args: [] }))).not.toBe('no typed error: undefined');
  }, 240_000);

  test('upgraded to v2 by its owner: sequence 2 on both peers, balances intact, burn callable', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const old = org1.custom.service(appId)!;
    const started = performance.now();
    const info = await org1.lifecycle.upgrade({ appId }, token('v2'), alice.signer);
    console.info(`custom app upgrade (_lifecycle sequence 2): ${Math.round(performance.now() - started)} ms`);
    expect(info.contract).toEqual({ kind: 'package', version: 2 });
    expect(await sequences(channel, appId)).toEqual([2, 2]);
    expect(old.running).toBe(false);
    for (const p of peers) {
      expect(await p.call(channel, chaincodeNameOf(appId), 'balanceOf', alice.account.id)).toBe('799');
      expect(await p.call(channel, chaincodeNameOf(appId), 'version')).toBe('2');
    }
    const burn = await org1.gateway.submit({ app: { appId }, method: 'burn', args: ['99'], requestId: unique('r') }, alice.signer);
    expect(burn.events.map((e) => JSON.parse(text(e.payload)))).toEqual([{ from: alice.account.id, to: '', amount: '99' }]);
    for (const p of peers) {
      expect(await p.call(channel, chaincodeNameOf(appId), 'balanceOf', alice.account.id)).toBe('700');
      expect(await p.call(channel, chaincodeNameOf(appId), 'totalSupply')).toBe('901');
    }
    expect((await org1.lifecycle.get({ appId })).contract).toEqual({ kind: 'package', version: 2 });
  }, 240_000);
});
