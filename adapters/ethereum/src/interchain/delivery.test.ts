import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAddress, keccak256 } from 'ethers';
import {
  attestBlock,
  attestInterchain,
  attesterPublicKey,
  canonicalJson,
  checkPacket,
  countAttestations,
  encodePacketCall,
  generatePrivateKey,
  isBsnError,
  packetCommitment,
  packetId,
  ackCommitment,
  publicKeyOf,
  toBase64,
  toHex,
  type AppInfo,
  type AttestedKind,
  type ChainEvent,
  type ChainAccount,
  type Evidence,
  type InterchainAttestation,
  type Packet,
  type PacketCall,
  type Signer,
  type TrustRoots,
} from '@bsn/contract';
import { unique } from '@bsn/contract/testing';
import { AnvilDevnet, actor, connect, rpc, type StartedDevnet } from '../__fixtures__/chains.js';
import type { EthereumAdapter } from '../adapter.js';
import { appInterface } from '../abi.js';
import { localKeySigner } from '../signer-bridge.js';
import { deliveryInterface } from './delivery-abi.js';
import { outboxInterface } from './outbox.js';

type Actor = { signer: Signer; account: ChainAccount };

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

/**
 * Delivery on a real anvil, app A → app B on one chain (a loopback: the chain is source and
 * target). Every refusal is checked on the chain itself afterwards: the receipt slot and the
 * target's key are read with raw JSON-RPC, not through the adapter.
 */
describe('interchain delivery on anvil', () => {
  let devnet: StartedDevnet;
  let adapter: EthereumAdapter;
  let operator: Signer;
  let chain: string;
  let adminA: Actor, adminB: Actor, relayer: Actor, outsider: Actor;
  let appA: AppInfo, appB: AppInfo;
  let outbox: string;
  const attesterKeys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
  const blockKeys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
  let trust: TrustRoots;
  const ref = unique('grant');
  const ALL = ['kv.put', 'kv.get', 'kv.delete'];

  const newApp = (admin: Actor) =>
    adapter.lifecycle.create(
      {
        appId: unique('dl'),
        name: 'delivery',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [],
      },
      admin.signer,
    );

  const grant = (src: AppInfo, dst: AppInfo, over: { methods?: string[]; expiresAt?: number; revoked?: boolean } = {}) =>
    Promise.all([
      adapter.interchain.setGrant!(
        src,
        { direction: 'outgoing', peerChain: chain, peerApp: dst.appId, ref, methods: ALL, expiresAt: 0, revoked: false },
        src === appA ? adminA.signer : adminB.signer,
      ),
      adapter.interchain.setGrant!(
        dst,
        { direction: 'incoming', peerChain: chain, peerApp: src.appId, ref, methods: ALL, expiresAt: 0, revoked: false, ...over },
        dst === appA ? adminA.signer : adminB.signer,
      ),
    ]);

  const call = (c: PacketCall, timeout = Date.now() + 3_600_000) => ({
    dstChain: chain,
    dstApp: appB.appId,
    method: c.method,
    payload: toBase64(encodePacketCall(c)),
    timeout,
    grantRef: ref,
  });

  const sign = (kind: AttestedKind, commitment: string, keys = attesterKeys.slice(0, 2)): InterchainAttestation[] =>
    keys.map((k) => attestInterchain(kind, commitment, k));

  /** A city node's part: the evidence verified (after attesting its block), then the interchain attestation. */
  async function proven(e: Evidence) {
    const block = await adapter.gateway.block(e.block);
    const attestations = blockKeys
      .slice(0, 2)
      .map((privateKey) =>
        attestBlock({ framework: 'ethereum', chain, number: e.block, hash: block.hash }, { algorithm: 'secp256k1', privateKey }),
      );
    const verdict = await adapter.interchain.verify({ ...e, attestations }, trust);
    expect(verdict.state, verdict.state === 'rejected' ? verdict.reason : '').toBe('proven');
    return verdict as Extract<typeof verdict, { state: 'proven' }>;
  }

  async function sent(c: PacketCall, timeout?: number): Promise<Packet> {
    const { packet, receipt } = await adapter.interchain.emit(appA, call(c, timeout), adminA.signer);
    await proven(await adapter.interchain.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) }));
    return packet;
  }

  /** The target's record of a packet, read from the chain: [state, status]. */
  async function targetRecord(p: Packet): Promise<[number, number]> {
    const out = await rpc<string>(devnet, 'eth_call', [
      { to: outbox, data: deliveryInterface.encodeFunctionData('targetState', ['0x' + packetId(p)]) },
      'latest',
    ]);
    const [state, status] = deliveryInterface.decodeFunctionResult('targetState', out);
    return [Number(state), Number(status)];
  }

  /** The source's record: [commitment, state]. */
  async function sourceRecord(p: Packet): Promise<[string, number]> {
    const out = await rpc<string>(devnet, 'eth_call', [
      { to: outbox, data: deliveryInterface.encodeFunctionData('sourceState', [p.srcApp, p.dstChain, p.dstApp, p.seq]) },
      'latest',
    ]);
    const [commitment, state] = deliveryInterface.decodeFunctionResult('sourceState', out);
    return [String(commitment), Number(state)];
  }

  /** Whether the key is live in the app's store, and its value's hash, read from the chain. */
  async function stored(app: AppInfo, key: string): Promise<[boolean, string]> {
    const location = await rpc<string>(devnet, 'eth_call', [
      { to: appAddress.get(app.appId), data: appInterface.encodeFunctionData('entry', [key]) },
      'latest',
    ]);
    const [live, hash] = appInterface.decodeFunctionResult('entry', location);
    return [Boolean(live), String(hash)];
  }
  const appAddress = new Map<string, string>();

  async function refusedLeavingNothing(p: Packet, code: string, attempt: () => Promise<unknown>, key?: string) {
    const before = key ? await stored(appB, key) : undefined;
    const error = await failure(attempt());
    expect(error.code, error.message).toBe(code);
    expect(await targetRecord(p)).toEqual([0, 0]);
    if (key) expect(await stored(appB, key)).toEqual(before);
    return error;
  }

  beforeAll(async () => {
    devnet = await new AnvilDevnet().start();
    adapter = await connect(devnet);
    chain = devnet.network.name;
    operator = localKeySigner(String((devnet.network as unknown as { faucet: { privateKey: string } }).faucet.privateKey));
    [adminA, adminB, relayer, outsider] = await Promise.all([actor(adapter), actor(adapter), actor(adapter), actor(adapter)]);
    [appA, appB] = await Promise.all([newApp(adminA), newApp(adminB)]);
    for (const a of [appA, appB]) appAddress.set(a.appId, await addressOf(a.appId));
    await adapter.interchain.configureDelivery!({ publicKeys: attesterKeys.map(attesterPublicKey), threshold: 2 }, operator);
    trust = await adapter.interchain.trustRoots(
      blockKeys.map((k) => ({ algorithm: 'secp256k1', publicKey: toHex(publicKeyOf('secp256k1', k)) })),
      2,
    );
    outbox = (trust.roots as { outbox: string }).outbox;
    await grant(appA, appB);
  }, 240_000);
  afterAll(async () => {
    await adapter?.close();
    await devnet?.stop();
  });

  it('happy path: emit, evidence, 2 of 3 attest, deliver, ack evidence, acknowledge; both sides and the value read from the chain', async () => {
    const value = Buffer.from(`value ${unique('v')}`);
    const key = unique('k');
    const packet = await sent({ method: 'kv.put', key, value });
    expect(await adapter.interchain.packetState!(packet)).toEqual({ side: 'source', state: 'sent' });
    const { receipt, ack } = await adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer);
    expect(ack).toEqual({ packetId: packetId(packet), commitment: packetCommitment(packet), status: 'OK', result: '' });
    expect(await stored(appB, key)).toEqual([true, keccak256(value)]);
    expect((await adapter.kv.get(appB, key))?.value).toEqual(new Uint8Array(value));
    expect(await targetRecord(packet)).toEqual([1, 0]);
    expect(await adapter.interchain.packetState!(packet)).toMatchObject({ side: 'target', state: 'delivered', ack, txId: receipt.txId });

    const ackVerdict = await proven(await adapter.interchain.evidence(receipt.txId, { kind: 'ack', packetId: packetId(packet) }));
    expect(ackVerdict.ack).toEqual(ack);
    await adapter.interchain.acknowledge!(packet, ack, sign('ack', ackCommitment(ack)), relayer.signer);
    expect((await sourceRecord(packet))[1]).toBe(1);
    expect(await adapter.interchain.packetState!(packet)).toMatchObject({ side: 'source', state: 'acknowledged', ack });
    // a second acknowledge changes nothing
    expect((await failure(adapter.interchain.acknowledge!(packet, ack, sign('ack', ackCommitment(ack)), relayer.signer))).code).toBe(
      'CONFLICT',
    );

    // kv.get returns the value in its ack; kv.delete of a missing key is a NOT_FOUND ack
    const get = await sent({ method: 'kv.get', key });
    const got = await adapter.interchain.deliver!(get, sign('packet', packetCommitment(get)), relayer.signer);
    expect(got.ack).toMatchObject({ status: 'OK', result: value.toString('base64') });
    const missing = await sent({ method: 'kv.delete', key: unique('absent') });
    expect((await adapter.interchain.deliver!(missing, sign('packet', packetCommitment(missing)), relayer.signer)).ack.status).toBe(
      'NOT_FOUND',
    );
  }, 120_000);

  it("a packet sent is on the source app's own event stream: packet.sent in the send transaction, the packet's RFC 8785 JSON", async () => {
    const { packet, receipt } = await adapter.interchain.emit(
      appA,
      call({ method: 'kv.put', key: unique('k'), value: Buffer.from('x') }),
      adminA.signer,
    );
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 20_000);
    let found: ChainEvent | undefined;
    try {
      for await (const e of adapter.gateway.events({ app: appA, name: 'packet.sent', signal: controller.signal }))
        if (e.txId === receipt.txId) {
          found = e;
          break;
        }
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    expect(found, 'no packet.sent event in the send transaction').toBeDefined();
    expect(Buffer.from(found!.payload).toString('utf8')).toBe(canonicalJson(packet));
    expect(checkPacket(JSON.parse(Buffer.from(found!.payload).toString('utf8')))).toEqual(packet);
    // Only the app whose packet it is hears of it.
    const other = new AbortController();
    setTimeout(() => other.abort(), 1_000);
    const heard: ChainEvent[] = [];
    for await (const e of adapter.gateway.events({ app: appB, name: 'packet.sent', signal: other.signal })) heard.push(e);
    expect(heard).toEqual([]);
  }, 60_000);

  it('ack evidence proves only the ack its transaction wrote: an altered packet, another log, another kind are rejected', async () => {
    const key = unique('k');
    const packet = await sent({ method: 'kv.put', key, value: Buffer.from('proof') });
    const { receipt } = await adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer);
    const evidence = await adapter.interchain.evidence(receipt.txId, { kind: 'ack', packetId: packetId(packet) });
    const block = await adapter.gateway.block(evidence.block);
    const attestations = blockKeys.map((privateKey) =>
      attestBlock({ framework: 'ethereum', chain, number: evidence.block, hash: block.hash }, { algorithm: 'secp256k1', privateKey }),
    );
    const genuine = { ...evidence, attestations };
    expect((await adapter.interchain.verify(genuine, trust)).state).toBe('proven');
    const proof = genuine.proof as { packet: Packet; logIndex: number };
    const variants: Array<[string, Evidence]> = [
      [
        'the packet payload altered',
        { ...genuine, proof: { ...genuine.proof, packet: { ...proof.packet, payload: toBase64(Buffer.from('x')) } } },
      ],
      [
        'the packet timeout altered',
        { ...genuine, proof: { ...genuine.proof, packet: { ...proof.packet, timeout: proof.packet.timeout + 1 } } },
      ],
      ['the log of the app event instead', { ...genuine, proof: { ...genuine.proof, logIndex: proof.logIndex + 1 } }],
      ['claimed as a timeout record', { ...genuine, subject: { kind: 'timeout', packetId: packetId(packet) } }],
      ['claimed as the packet sent', { ...genuine, subject: { kind: 'packet', packetId: packetId(packet) } }],
    ];
    for (const [what, variant] of variants) {
      const verdict = await adapter.interchain.verify(variant, trust);
      expect(verdict.state, what).toBe('rejected');
    }
  }, 60_000);

  it('a replayed packet is refused and executes nothing twice', async () => {
    const key = unique('k');
    const packet = await sent({ method: 'kv.put', key, value: Buffer.from('once') });
    await adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer);
    const before = await stored(appB, key);
    const error = await failure(adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer));
    expect([error.code, error.message]).toEqual(['CONFLICT', expect.stringContaining('already delivered')]);
    expect(await stored(appB, key)).toEqual(before);
    expect(await targetRecord(packet)).toEqual([1, 0]);
  }, 60_000);

  it('after its timeout a packet is refused; recordTimeout then closeTimedOut close it on both sides', async () => {
    const key = unique('k');
    const head = await rpc<{ timestamp: string }>(devnet, 'eth_getBlockByNumber', ['latest', false]);
    const packet = await sent({ method: 'kv.put', key, value: Buffer.from('late') }, Number(BigInt(head.timestamp)) * 1000 + 20_000);
    const attestations = sign('packet', packetCommitment(packet));
    // too early to record a timeout
    await refusedLeavingNothing(packet, 'CONFLICT', () => adapter.interchain.recordTimeout!(packet, attestations, relayer.signer));
    await rpc(devnet, 'evm_increaseTime', [60]);
    await rpc(devnet, 'evm_mine');
    const error = await refusedLeavingNothing(
      packet,
      'CONFLICT',
      () => adapter.interchain.deliver!(packet, attestations, relayer.signer),
      key,
    );
    expect(error.message).toContain('timed out');
    const recorded = await adapter.interchain.recordTimeout!(packet, attestations, relayer.signer);
    expect(await targetRecord(packet)).toEqual([2, 0]);
    expect((await failure(adapter.interchain.deliver!(packet, attestations, relayer.signer))).code).toBe('CONFLICT');
    await proven(await adapter.interchain.evidence(recorded.txId, { kind: 'timeout', packetId: packetId(packet) }));
    // an ack attestation is not a timeout attestation
    expect((await failure(adapter.interchain.closeTimedOut!(packet, sign('packet', packetCommitment(packet)), relayer.signer))).code).toBe(
      'UNAUTHORIZED',
    );
    await adapter.interchain.closeTimedOut!(packet, sign('timeout', packetCommitment(packet)), relayer.signer);
    expect((await sourceRecord(packet))[1]).toBe(2);
    expect(await adapter.interchain.packetState!(packet)).toMatchObject({ side: 'source', state: 'timed-out' });
    expect((await failure(adapter.interchain.closeTimedOut!(packet, sign('timeout', packetCommitment(packet)), relayer.signer))).code).toBe(
      'CONFLICT',
    );
  }, 120_000);

  it('forged attestations are refused on chain: unpinned signers, altered payload, below threshold, empty, one signer twice, wrong kind', async () => {
    const key = unique('k');
    const packet = await sent({ method: 'kv.put', key, value: Buffer.from('forged?') });
    const c = packetCommitment(packet);
    const strangers = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
    const cases: Array<[string, Packet, InterchainAttestation[]]> = [
      ['signers not pinned', packet, sign('packet', c, strangers)],
      ['below threshold', packet, sign('packet', c, attesterKeys.slice(0, 1))],
      ['empty', packet, []],
      ['one signer listed twice', packet, [...sign('packet', c, attesterKeys.slice(0, 1)), ...sign('packet', c, attesterKeys.slice(0, 1))]],
      ['of the wrong kind', packet, sign('ack', c)],
      ['a high-S twin', packet, [sign('packet', c, attesterKeys.slice(0, 1))[0]!, highS(sign('packet', c, attesterKeys.slice(1, 2))[0]!)]],
    ];
    const altered = { ...packet, payload: toBase64(encodePacketCall({ method: 'kv.put', key, value: Buffer.from('altered') })) };
    cases.push(['over the original, with the payload altered', altered, sign('packet', c)]);
    const pinned = { publicKeys: attesterKeys.map(attesterPublicKey), threshold: 2 };
    // core's off-chain count is the oracle: it accepts the genuine set and none of the forgeries
    expect(countAttestations('packet', c, sign('packet', c), pinned).ok).toBe(true);
    for (const [what, p, attestations] of cases) {
      expect(countAttestations('packet', packetCommitment(p), attestations, pinned).ok, `core counts ${what}`).toBe(false);
      const error = await refusedLeavingNothing(p, 'UNAUTHORIZED', () => adapter.interchain.deliver!(p, attestations, relayer.signer), key);
      expect(error.message, what).toContain('below threshold');
    }
    expect(await targetRecord(packet)).toEqual([0, 0]);
  }, 120_000);

  it('without the grants, or with a revoked or expired one, nothing executes', async () => {
    const key = unique('k');
    // appB → appA: appA never granted incoming, appB never granted outgoing
    const noOutgoing = await failure(
      adapter.interchain.emit(appB, { ...call({ method: 'kv.put', key, value: Buffer.from('x') }), dstApp: appA.appId }, adminB.signer),
    );
    expect(noOutgoing.code).toBe('UNAUTHORIZED');
    const appC = await newApp(adminB);
    appAddress.set(appC.appId, await addressOf(appC.appId));
    // appA may send to appC, but appC grants nothing
    await adapter.interchain.setGrant!(
      appA,
      { direction: 'outgoing', peerChain: chain, peerApp: appC.appId, ref, methods: ALL, expiresAt: 0, revoked: false },
      adminA.signer,
    );
    const { packet } = await adapter.interchain.emit(
      appA,
      { ...call({ method: 'kv.put', key, value: Buffer.from('x') }), dstApp: appC.appId },
      adminA.signer,
    );
    const error = await failure(adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(await targetRecord(packet)).toEqual([0, 0]);
    expect(await stored(appC, key)).toEqual([false, '0x' + '00'.repeat(32)]);

    // revoked, then expired, then a grant not listing the method
    for (const over of [{ revoked: true }, { expiresAt: Date.now() - 1000 }, { methods: ['kv.get'] }]) {
      await adapter.interchain.setGrant!(
        appC,
        { direction: 'incoming', peerChain: chain, peerApp: appA.appId, ref, methods: ALL, expiresAt: 0, revoked: false, ...over },
        adminB.signer,
      );
      const e = await failure(adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer));
      expect(e.code, JSON.stringify(over)).toBe('UNAUTHORIZED');
      expect(await targetRecord(packet)).toEqual([0, 0]);
      expect(await stored(appC, key)).toEqual([false, '0x' + '00'.repeat(32)]);
    }
    // a revoked outgoing grant stops new packets
    await adapter.interchain.setGrant!(
      appA,
      { direction: 'outgoing', peerChain: chain, peerApp: appC.appId, ref, methods: ALL, expiresAt: 0, revoked: true },
      adminA.signer,
    );
    expect(
      (
        await failure(
          adapter.interchain.emit(appA, { ...call({ method: 'kv.put', key, value: Buffer.from('x') }), dstApp: appC.appId }, adminA.signer),
        )
      ).code,
    ).toBe('UNAUTHORIZED');
  }, 120_000);

  it('a packet to an app that does not exist is NOT_FOUND, to a frozen app CONFLICT; nothing is recorded', async () => {
    const key = unique('k');
    const ghost = unique('ghost');
    await adapter.interchain.setGrant!(
      appA,
      { direction: 'outgoing', peerChain: chain, peerApp: ghost, ref, methods: ALL, expiresAt: 0, revoked: false },
      adminA.signer,
    );
    const { packet: toGhost } = await adapter.interchain.emit(
      appA,
      { ...call({ method: 'kv.put', key, value: Buffer.from('x') }), dstApp: ghost },
      adminA.signer,
    );
    await refusedLeavingNothing(toGhost, 'NOT_FOUND', () =>
      adapter.interchain.deliver!(toGhost, sign('packet', packetCommitment(toGhost)), relayer.signer),
    );
    const packet = await sent({ method: 'kv.put', key, value: Buffer.from('frozen?') });
    await adapter.lifecycle.freeze(appB, adminB.signer);
    try {
      await refusedLeavingNothing(
        packet,
        'CONFLICT',
        () => adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer),
        key,
      );
    } finally {
      await adapter.lifecycle.unfreeze(appB, adminB.signer);
    }
    // unfrozen, the same packet delivers
    expect((await adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer)).ack.status).toBe('OK');
  }, 60_000);

  it('an unregistered method is refused before anything executes; wrong chain and malformed packets name the field', async () => {
    await adapter.interchain.setGrant!(
      appA,
      {
        direction: 'outgoing',
        peerChain: chain,
        peerApp: appB.appId,
        ref,
        methods: [...ALL, 'admin.freeze'],
        expiresAt: 0,
        revoked: false,
      },
      adminA.signer,
    );
    const { packet } = await adapter.interchain.emit(
      appA,
      { dstChain: chain, dstApp: appB.appId, method: 'admin.freeze', payload: '', timeout: Date.now() + 3_600_000, grantRef: ref },
      adminA.signer,
    );
    const error = await refusedLeavingNothing(packet, 'INVALID_INPUT', () =>
      adapter.interchain.deliver!(packet, sign('packet', packetCommitment(packet)), relayer.signer),
    );
    expect(error.message).toContain('unregistered method');
    const elsewhere = { ...packet, dstChain: 'another-chain' };
    const wrong = await failure(adapter.interchain.deliver!(elsewhere, sign('packet', packetCommitment(elsewhere)), relayer.signer));
    expect([wrong.code, wrong.field]).toEqual(['INVALID_INPUT', '/packet/dstChain']);
    // a payload spelt in non-canonical base64 (nonzero padding bits) is refused before sending
    const loose = await failure(adapter.interchain.emit(appA, { ...call({ method: 'kv.get', key: 'A' }), payload: 'QR==' }, adminA.signer));
    expect([loose.code, loose.field]).toEqual(['INVALID_INPUT', '/packet/payload']);
    const quoted = await failure(adapter.interchain.deliver!({ ...packet, srcApp: 'a"b' }, [], relayer.signer));
    expect([quoted.code, quoted.field]).toEqual(['INVALID_INPUT', '/packet/srcApp']);
  }, 60_000);

  it('only the app admin sets grants and only the operator configures; an unsound configuration is refused', async () => {
    const g = { direction: 'incoming' as const, peerChain: chain, peerApp: 'intruder', ref, methods: ALL, expiresAt: 0, revoked: false };
    expect((await failure(adapter.interchain.setGrant!(appB, g, outsider.signer))).code).toBe('UNAUTHORIZED');
    expect((await failure(adapter.interchain.setGrant!(appB, g, adminA.signer))).code).toBe('UNAUTHORIZED');
    const pinned = { publicKeys: attesterKeys.map(attesterPublicKey), threshold: 2 };
    expect((await failure(adapter.interchain.configureDelivery!(pinned, outsider.signer))).code).toBe('UNAUTHORIZED');
    expect((await failure(adapter.interchain.configureDelivery!({ ...pinned, threshold: 0 }, operator))).field).toBe('/threshold');
    expect((await failure(adapter.interchain.configureDelivery!({ ...pinned, threshold: 1 }, operator))).field).toBe('/threshold');
    expect((await failure(adapter.interchain.configureDelivery!({ publicKeys: [], threshold: 1 }, operator))).code).toBe('INVALID_INPUT');
    // the contract refuses the same on its own, whatever an adapter checks
    const out = await rpc<string>(devnet, 'eth_call', [
      {
        from: await addressOfSigner(operator),
        to: outbox,
        data: deliveryInterface.encodeFunctionData('configureDelivery', [chain, [await addressOfSigner(outsider.signer)], 0]),
      },
      'latest',
    ]).catch((e: Error) => e.message);
    expect(String(out)).toMatch(/revert/i);
    // the chain's name is fixed by the first configuration: the operator cannot rename it (the same
    // attesters and threshold, so InvalidInput can only be about the name)
    const renamed = await rpc<string>(devnet, 'eth_call', [
      {
        from: await addressOfSigner(operator),
        to: outbox,
        data: deliveryInterface.encodeFunctionData('configureDelivery', ['another-name', attesterKeys.map((k) => addressOfKey(k)), 2]),
      },
      'latest',
    ]).catch((e: Error) => e.message);
    expect(String(renamed)).toMatch(/revert/i);
    expect(String(renamed)).toContain(outboxInterface.getError('InvalidInput')!.selector.slice(2));
    // and the configuration is what it was
    const [name, attesters, threshold] = deliveryInterface.decodeFunctionResult(
      'deliveryConfig',
      await rpc<string>(devnet, 'eth_call', [{ to: outbox, data: deliveryInterface.encodeFunctionData('deliveryConfig') }, 'latest']),
    );
    expect([name, (attesters as string[]).length, Number(threshold)]).toEqual([chain, 3, 2]);
  }, 60_000);

  async function addressOf(appId: string): Promise<string> {
    const out = await rpc<string>(devnet, 'eth_call', [
      { to: adapter.registryAddress, data: '0x' + keccak256(Buffer.from('appOf(string)')).slice(2, 10) + abiString(appId) },
      'latest',
    ]);
    return '0x' + out.slice(26, 66);
  }
});

function addressOfKey(k: Uint8Array): string {
  return computeAddress('0x' + attesterPublicKey(k));
}

async function addressOfSigner(s: Signer): Promise<string> {
  const { addressOf } = await import('../signer-bridge.js');
  return addressOf(s.publicKey);
}

/** The same signature with s' = n - s and v flipped: valid for plain ECDSA, refused as malleable. */
function highS(a: InterchainAttestation): InterchainAttestation {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = BigInt('0x' + a.signature.slice(64, 128));
  const v = parseInt(a.signature.slice(128), 16);
  return { ...a, signature: a.signature.slice(0, 64) + (n - s).toString(16).padStart(64, '0') + (v === 27 ? '1c' : '1b') };
}

function abiString(s: string): string {
  const hex = Buffer.from(s).toString('hex');
  return (
    (32).toString(16).padStart(64, '0') +
    Buffer.from(s).length.toString(16).padStart(64, '0') +
    hex.padEnd(Math.ceil(hex.length / 64) * 64, '0')
  );
}
