import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, isBsnError, packetId, publicKeyOf, toHex, type AppInfo, type PacketInput } from '@bsn/contract';
import { bytes, testContext, text, unique } from '@bsn/contract/testing';
import { AntelopeRpc, isCanonical, publicKeyText } from './antelope/index.js';
import { AccountCreator } from './account-creator.js';
import { accountNameOf, dedicatedAccountOf, PERMISSION } from './accounts.js';
import { resolveConfig } from './config.js';
import { ContractAbis } from './contract-abis.js';
import { deployPresetContract } from './deploy.js';
import factory from './index.js';
import { NodeApi } from './node-api.js';
import { Transactions } from './transactions.js';
import { startNode, whyNoNode, type Actor, type EosNode } from './__fixtures__/node.js';

const why = await whyNoNode();
if (why) console.warn(`skipped: ${why}`);

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe.skipIf(why)('dedicated apps on a real Leap node: an account of their own, recorded by the shared registry', () => {
  let node: EosNode;
  let admin: Actor;
  let member: Actor;
  let outsider: Actor;
  let txs: Transactions;
  let abis: ContractAbis;
  let contract: string;
  const dedicated = (by: Actor, members: Actor[] = [], appId = unique('own')) =>
    node.adapter.lifecycle.create(
      {
        appId,
        name: 'own app',
        framework: 'eos',
        mode: 'consortium',
        placement: 'dedicated',
        contract: { kind: 'preset-kv' },
        members: members.map((m) => m.account),
      },
      by.signer,
    );
  /** Sends one action of `account` as `by`, straight to the chain (what anyone could send). */
  const send = async (by: Actor, account: string, name: string, data: Record<string, unknown>) => {
    const abi = await abis.of(account);
    const actor = accountNameOf(by.signer.algorithm, by.signer.publicKey);
    return txs.submit(
      [{ account, name, authorization: [{ actor, permission: PERMISSION }], data: abi.encodeAction(name, data) }],
      by.signer,
      {
        what: `${name} on ${account}`,
      },
    );
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  beforeAll(async () => {
    node = await startNode();
    [admin, member, outsider] = await Promise.all([node.actor(), node.actor(), node.actor()]);
    const config = resolveConfig(node.devnet.network);
    const api = new NodeApi(new AntelopeRpc(config.url, config.requestTimeoutMs));
    txs = new Transactions(api, config);
    abis = new ContractAbis(api);
    contract = config.contract;
  });
  afterAll(() => node?.stop());

  it('lives in the account named from the registry and its id, keeps its own state, members and data', async () => {
    const app = await dedicated(admin, [member]);
    expect(app.placement).toBe('dedicated');
    expect(app.location['contract']).toBe(dedicatedAccountOf(contract, app.appId));
    expect(app.location['contract']).not.toBe(contract);
    expect(app.members.sort()).toEqual([admin.account.id, member.account.id].sort());
    const put = await node.adapter.kv.put({ app, key: 'k', value: bytes('v'), requestId: unique('req') }, member.signer);
    expect((await node.adapter.gateway.transaction(put.txId, { appId: app.appId })).events.map((e) => [e.app, e.name])).toEqual([
      [app.appId, 'kv.put'],
    ]);
    const frozen = await node.adapter.lifecycle.freeze(app, admin.signer);
    expect([frozen.state, frozen.placement]).toEqual(['frozen', 'dedicated']);
    const write = await refusal(node.adapter.kv.put({ app, key: 'k', value: bytes('w'), requestId: unique('req') }, member.signer));
    expect(isBsnError(write, 'UNAUTHORIZED'), String(write)).toBe(true);
    await node.adapter.lifecycle.unfreeze(app, admin.signer);
    const removed = await node.adapter.lifecycle.removeMember(app, member.account, admin.signer);
    expect(removed.members).toEqual([admin.account.id]);
    const upgraded = await node.adapter.lifecycle.upgrade(app, { kind: 'preset-kv' }, admin.signer);
    expect(upgraded.contract.version).toBe(2);
    expect(text((await node.adapter.kv.get(app, 'k'))!.value)).toBe('v');
  });

  it("a non-canonical user-key write reaches the dedicated app through its own contract's relay", async () => {
    const app = await dedicated(admin, [member]);
    for (let attempt = 0; attempt < 40; attempt++) {
      const key = unique('k');
      const prepared = await node.adapter.gateway.prepare(
        { app, method: 'put', args: [key, bytes('relayed')], requestId: unique('req') },
        { publicKey: member.signer.publicKey, algorithm: member.signer.algorithm },
      );
      const signature = await member.signer.signDigest(hex(prepared.digest));
      if (isCanonical(signature.compact)) continue;
      const receipt = await node.adapter.gateway.submitPrepared(prepared, signature);
      const tx = await node.adapter.gateway.transaction(receipt.txId);
      expect([tx.app, tx.method], 'a relayed write is looked up as the write it carries').toEqual([app.appId, 'put']);
      expect(tx.events.map((e) => [e.app, text(e.payload)])).toEqual([[app.appId, key]]);
      expect(text((await node.adapter.kv.get(app, key))!.value)).toBe('relayed');
      return;
    }
    throw new Error('no non-canonical signature in 40 attempts');
  });

  it('a create that stopped after deploying its account finishes when run again', async () => {
    const appId = unique('half');
    const creator = new AccountCreator(txs, resolveConfig(node.devnet.network));
    await deployPresetContract(txs, creator, dedicatedAccountOf(contract, appId));
    expect(await node.adapter.lifecycle.get({ appId }).catch((e: unknown) => isBsnError(e, 'NOT_FOUND'))).toBe(true);
    const app = await dedicated(admin, [], appId);
    expect([app.appId, app.placement]).toEqual([appId, 'dedicated']);
  });

  it('an account name taken first by another key is passed over: the app lives at its next name, and works', async () => {
    const appId = unique('squatted');
    const squatted = dedicatedAccountOf(contract, appId);
    const creator = new AccountCreator(txs, resolveConfig(node.devnet.network));
    await creator.ensure(squatted, publicKeyText(outsider.signer.algorithm, outsider.signer.publicKey));
    const app = await dedicated(admin, [member], appId);
    expect(app.location['contract']).toBe(dedicatedAccountOf(contract, appId, 1));
    expect(app.location['contract']).not.toBe(squatted);
    await node.adapter.kv.put({ app, key: 'k', value: bytes('v'), requestId: unique('req') }, member.signer);
    expect(text((await node.adapter.kv.get(app, 'k'))!.value)).toBe('v');
  });

  it('two creates of one dedicated app id at once: one app, the other create is a conflict', async () => {
    const appId = unique('race');
    const outcomes = await Promise.allSettled([dedicated(admin, [], appId), dedicated(member, [], appId)]);
    const made = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(made).toHaveLength(1);
    expect(refused.map((e) => isBsnError(e, 'CONFLICT') || String(e))).toEqual([true]);
    expect((await node.adapter.lifecycle.get({ appId })).placement).toBe('dedicated');
  });

  it('the registry records only an app its home holds, for that admin, by that admin', async () => {
    const victim: AppInfo = await dedicated(admin);
    const home = victim.location['contract']!;
    // Placing another id in a home that does not hold it.
    const absent = await refusal(
      send(outsider, contract, 'place', {
        appid: unique('squat'),
        admin: accountNameOf(outsider.signer.algorithm, outsider.signer.publicKey),
        home,
      }),
    );
    expect(String(absent)).toMatch(/is not created in/);
    // Placing the registry itself as a home.
    const itself = await refusal(
      send(outsider, contract, 'place', {
        appid: unique('self'),
        admin: accountNameOf(outsider.signer.algorithm, outsider.signer.publicKey),
        home: contract,
      }),
    );
    expect(String(itself)).toMatch(/account of its own/);
    // Placing an app its home holds, claiming its admin without their signature.
    const appId = unique('stolen');
    const own = dedicatedAccountOf(contract, appId);
    await deployPresetContract(txs, new AccountCreator(txs, resolveConfig(node.devnet.network)), own);
    await send(admin, own, 'create', {
      appid: appId,
      name: 'x',
      mode: 'consortium',
      admin: accountNameOf(admin.signer.algorithm, admin.signer.publicKey),
      members: [],
    });
    const forged = await refusal(
      txs.submit(
        [
          {
            account: contract,
            name: 'place',
            authorization: [{ actor: accountNameOf(admin.signer.algorithm, admin.signer.publicKey), permission: PERMISSION }],
            data: (await abis.of(contract)).encodeAction('place', {
              appid: appId,
              admin: accountNameOf(admin.signer.algorithm, admin.signer.publicKey),
              home: own,
            }),
          },
        ],
        outsider.signer,
        { what: 'a forged place' },
      ),
    );
    expect(isBsnError(forged, 'UNAUTHORIZED'), String(forged)).toBe(true);
    // … or as its admin, by someone else.
    const notAdmin = await refusal(
      send(outsider, contract, 'place', {
        appid: appId,
        admin: accountNameOf(outsider.signer.algorithm, outsider.signer.publicKey),
        home: own,
      }),
    );
    expect(String(notAdmin)).toMatch(/is not created in/);
    expect(await refusal(node.adapter.lifecycle.get({ appId })).then((e) => isBsnError(e, 'NOT_FOUND'))).toBe(true);
    // The dedicated app's own id in the shared registry, placed there a second time.
    const twice = await refusal(
      send(admin, contract, 'place', { appid: victim.appId, admin: accountNameOf(admin.signer.algorithm, admin.signer.publicKey), home }),
    );
    expect(isBsnError(twice, 'CONFLICT'), String(twice)).toBe(true);
  });

  it('sends packets through the registry contract, which verifiers pin: proven; its non-members and a frozen app are refused', async () => {
    const app = await dedicated(admin, [member]);
    const ic = node.adapter.interchain!;
    const grantRef = unique('g');
    const input = (): PacketInput => ({
      dstChain: 'peer',
      dstApp: 'target',
      method: 'ping',
      payload: '',
      timeout: Date.now() + 600_000,
      grantRef,
    });
    // The registry sends only under the source's outgoing grant, written by the app's admin.
    const ungranted = await refusal(ic.emit(app, input(), member.signer));
    expect(String(ungranted)).toMatch(/holds no valid outgoing grant/);
    const grant = {
      direction: 'outgoing' as const,
      peerChain: 'peer',
      peerApp: 'target',
      ref: grantRef,
      methods: ['ping'],
      expiresAt: 0,
      revoked: false,
    };
    await ic.setGrant!(app, grant, admin.signer);
    const { packet, receipt } = await ic.emit(app, input(), member.signer);
    expect([packet.srcApp, packet.seq]).toEqual([app.appId, 1]);
    const evidence = await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) });
    // The producer schedule alone (no attesters pinned) proves it.
    const attester = { algorithm: 'secp256k1' as const, publicKey: toHex(publicKeyOf('secp256k1', generatePrivateKey('secp256k1'))) };
    const pinned = await ic.trustRoots!([attester], 1);
    const { attesters: _, threshold: __, ...roots } = pinned.roots;
    const verdict = await ic.verify(evidence, { ...pinned, roots });
    expect(verdict.state === 'proven' ? verdict.packet?.srcApp : verdict).toBe(app.appId);
    expect((await ic.emit(app, input(), admin.signer)).packet.seq).toBe(2);
    const outsiderEmit = await refusal(ic.emit(app, input(), outsider.signer));
    expect(isBsnError(outsiderEmit, 'UNAUTHORIZED'), String(outsiderEmit)).toBe(true);
    await node.adapter.lifecycle.freeze(app, admin.signer);
    const frozen = await refusal(ic.emit(app, input(), member.signer));
    expect(String(frozen)).toMatch(/frozen/);
  });

  it("writes to a dedicated app's scope in the shared contract are refused: its data lives at home only", async () => {
    const app = await dedicated(admin, [member]);
    const sender = accountNameOf(member.signer.algorithm, member.signer.publicKey);
    const put = await refusal(send(member, contract, 'put', { appid: app.appId, sender, key: 'k', value: '01', reqid: unique('req') }));
    expect(isBsnError(put, 'UNAUTHORIZED'), String(put)).toBe(true);
    expect(await node.adapter.kv.get(app, 'k')).toBeNull();
  });

  it('without a creator on the network, a dedicated app is refused naming /placement, before anything is sent', async () => {
    const { creator: _, ...network } = node.devnet.network;
    const adapter = await factory.connect(network, testContext());
    try {
      const appId = unique('nocreator');
      const error = await refusal(
        adapter.lifecycle.create(
          { appId, name: 'x', framework: 'eos', mode: 'consortium', placement: 'dedicated', contract: { kind: 'preset-kv' }, members: [] },
          admin.signer,
        ),
      );
      expect(isBsnError(error, 'INVALID_INPUT') && error.field).toBe('/placement');
      const creator = new AccountCreator(txs, resolveConfig(node.devnet.network));
      expect(await creator.exists(dedicatedAccountOf(contract, appId))).toBe(false);
    } finally {
      await adapter.close();
    }
  });

  it('a shared-app id taken by a dedicated app, and back, is a conflict', async () => {
    const own = await dedicated(admin);
    const again = await refusal(
      node.adapter.lifecycle.create(
        {
          appId: own.appId,
          name: 'x',
          framework: 'eos',
          mode: 'consortium',
          placement: 'shared',
          contract: { kind: 'preset-kv' },
          members: [],
        },
        admin.signer,
      ),
    );
    expect(isBsnError(again, 'CONFLICT'), String(again)).toBe(true);
    const sharedApp = await node.app(admin);
    const back = await refusal(dedicated(admin, [], sharedApp.appId));
    expect(isBsnError(back, 'CONFLICT'), String(back)).toBe(true);
  });
});
