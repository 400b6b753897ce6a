import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interface, JsonRpcProvider, Wallet, getBytes, hexlify } from 'ethers';
import {
  attestBlock,
  generatePrivateKey,
  isBsnError,
  packetId,
  publicKeyOf,
  toHex,
  type AppInfo,
  type Attester,
  type ChainAccount,
  type Evidence,
  type Interchain,
  type KeyAlgorithm,
  type Packet,
  type PacketInput,
  type Signer,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { unique } from '@bsn/contract/testing';
import { AnvilDevnet, GethDevnet, actor, connect, rpc, type StartedDevnet } from '../__fixtures__/chains.js';
import type { EthereumAdapter } from '../adapter.js';
import { BsnAppRegistry, BsnKvApp, BsnPacketOutbox, IBsnAppDirectory, IBsnAppMembership, IBsnPacketApp } from '../generated/artifacts.js';
import { deliveryInterface } from './delivery-abi.js';
import { collectInclusion } from './collect.js';
import { OUTBOX_ABI, PACKET_SENT_TOPIC, outboxInterface, packetFields, packetFieldsHash } from './outbox.js';
import type { EthereumProof } from './proof.js';

type Actor = { signer: Signer; account: ChainAccount };
type CityNode = { key: { algorithm: KeyAlgorithm; privateKey: Uint8Array }; pinned: Attester };

function cityNode(algorithm: KeyAlgorithm = 'secp256k1'): CityNode {
  const privateKey = generatePrivateKey(algorithm);
  return { key: { algorithm, privateKey }, pinned: { algorithm, publicKey: toHex(publicKeyOf(algorithm, privateKey)) } };
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBsnError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

const reasonOf = (v: Verification) => (v.state === 'rejected' ? v.reason : `proven ${JSON.stringify(v.subject)}`);
const flip = (hex: string, at: number) => {
  const b = getBytes(hex);
  b[at]! ^= 0x01;
  return hexlify(b);
};
const proofOf = (e: Evidence) => e.proof as unknown as EthereumProof;

describe('outbox ABI', () => {
  it("the hand-written ABI the verifier relies on is the compiled contract's", () => {
    const compiled = new Interface(BsnPacketOutbox.abi as never);
    const mine = new Interface(OUTBOX_ABI);
    expect(compiled.getEvent('PacketSent')!.topicHash).toBe(PACKET_SENT_TOPIC);
    mine.forEachFunction((f) => expect(compiled.getFunction(f.selector)?.format('full')).toBe(f.format('full')));
    mine.forEachError((e) => expect(compiled.getError(e.selector)?.format('full')).toBe(e.format('full')));
    // the delivery half, and its logs the verifier reads
    deliveryInterface.forEachFunction((f) => expect(compiled.getFunction(f.selector)?.format('full')).toBe(f.format('full')));
    deliveryInterface.forEachError((e) => expect(compiled.getError(e.selector)?.format('full')).toBe(e.format('full')));
    deliveryInterface.forEachEvent((e) => expect(compiled.getEvent(e.topicHash)?.format('full')).toBe(e.format('full')));
  });

  it('the registry and app views the outbox calls exist with the same signatures', () => {
    for (const [used, real] of [
      [IBsnAppDirectory, BsnAppRegistry],
      [IBsnAppMembership, BsnKvApp],
      [IBsnPacketApp, BsnKvApp],
    ] as const) {
      const target = new Interface(real.abi as never);
      new Interface(used.abi as never).forEachFunction((f) =>
        expect(target.getFunction(f.selector)?.format('full')).toBe(f.format('full')),
      );
    }
  });
});

describe.each([
  ['anvil', () => new AnvilDevnet()],
  ['geth', () => new GethDevnet()],
] as const)('interchain on %s', (name, make) => {
  let skipped = '';
  let devnet: StartedDevnet;
  let adapter: EthereumAdapter;
  let admin: Actor, member: Actor, outsider: Actor;
  let app: AppInfo;
  const nodes = [cityNode(), cityNode(), cityNode('sm2')];
  let trust: TrustRoots;
  let packet: Packet;
  let evidence: Evidence;

  const input = (over: Partial<PacketInput> = {}): PacketInput => ({
    dstChain: 'peer-chain',
    dstApp: 'target-app',
    method: 'ping',
    payload: Buffer.from('hello').toString('base64'),
    timeout: Date.now() + 3_600_000,
    grantRef: unique('grant'),
    ...over,
  });

  /** What a city node does: check the block on its own connection, then sign it. */
  async function attested(e: Evidence, by: CityNode[] = nodes.slice(0, 2)): Promise<Evidence> {
    const block = await adapter.gateway.block(e.block);
    expect(block.hash.toLowerCase()).toBe(e.blockHash);
    const attestations = by.map((n) => attestBlock({ framework: 'ethereum', chain: e.chain, number: e.block, hash: block.hash }, n.key));
    return { ...structuredClone(e), attestations };
  }

  const verify = (e: Evidence, t: TrustRoots = trust) => adapter.interchain.verify(e, t);

  beforeAll(async () => {
    const available = await make().available();
    if (!available.ok) {
      skipped = available.reason;
      console.warn(`skipped interchain on ${name}: ${skipped}`);
      return;
    }
    devnet = await make().start();
    adapter = await connect(devnet);
    [admin, member, outsider] = await Promise.all([actor(adapter), actor(adapter), actor(adapter)]);
    app = await adapter.lifecycle.create(
      {
        appId: unique('ic'),
        name: 'interchain',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [member.account],
      },
      admin.signer,
    );
    trust = await adapter.interchain.trustRoots(
      nodes.map((n) => n.pinned),
      2,
    );
    const sent = await adapter.interchain.emit(app, input(), member.signer);
    packet = sent.packet;
    evidence = await attested(await adapter.interchain.evidence(sent.receipt.txId, { kind: 'packet', packetId: packetId(packet) }));
  }, 240_000);
  afterAll(async () => {
    await adapter?.close();
    await devnet?.stop();
  });

  it('emit assigns seq per (srcApp, dstChain, dstApp) on chain and returns a final receipt', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    expect(packet).toMatchObject({
      v: 1,
      srcChain: devnet.network.name,
      srcApp: app.appId,
      dstChain: 'peer-chain',
      dstApp: 'target-app',
      seq: 1,
    });
    const second = await adapter.interchain.emit(app, input(), admin.signer);
    expect(second.packet.seq).toBe(2);
    const other = await adapter.interchain.emit(app, input({ dstApp: 'other-app' }), member.signer);
    expect(other.packet.seq).toBe(1);
    const otherChain = await adapter.interchain.emit(app, input({ dstChain: 'third-chain' }), member.signer);
    expect(otherChain.packet.seq).toBe(1);
    const raw = await rpc<{ status: string; blockHash: string; logs: Array<{ topics: string[] }> }>(devnet, 'eth_getTransactionReceipt', [
      second.receipt.txId,
    ]);
    expect(raw.status).toBe('0x1');
    expect(raw.blockHash).toBe(second.receipt.block.hash);
    expect(raw.logs.some((l) => l.topics[0] === PACKET_SENT_TOPIC && l.topics[1] === '0x' + packetId(second.packet))).toBe(true);
  });

  it('concurrent emits to one destination get distinct consecutive seqs', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    const dst = input({ dstApp: unique('busy') });
    const sent = await Promise.all([adapter.interchain.emit(app, dst, member.signer), adapter.interchain.emit(app, dst, admin.signer)]);
    expect(sent.map((s) => s.packet.seq).sort()).toEqual([1, 2]);
  });

  it('the field binding the outbox computed on chain is what the verifier rebuilds', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    const outbox = (trust.roots as { outbox: string }).outbox;
    const out = await rpc<string>(devnet, 'eth_call', [
      { to: outbox, data: outboxInterface.encodeFunctionData('packetFieldsHash', [packetFields(packet), packet.seq]) },
      'latest',
    ]);
    expect(out).toBe(packetFieldsHash(packet));
  });

  it('evidence of an emitted packet is proven, also after travelling as JSON', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    expect(evidence).toMatchObject({
      v: 1,
      framework: 'ethereum',
      chain: devnet.network.name,
      subject: { kind: 'packet', packetId: packetId(packet) },
    });
    const verdict = await verify(evidence);
    expect(verdict, reasonOf(verdict)).toEqual({ state: 'proven', subject: { kind: 'packet', packetId: packetId(packet) }, packet });
    expect((await verify(JSON.parse(JSON.stringify(evidence)), JSON.parse(JSON.stringify(trust)))).state).toBe('proven');
    // a different but sufficient set of attesters also does (one sm2 city node among them)
    expect((await verify(await attested(evidence, [nodes[0]!, nodes[2]!]))).state).toBe('proven');
  });

  describe('tampered evidence is rejected, with a reason', () => {
    const cases: Array<[string, (e: Evidence) => Evidence | Promise<Evidence>, RegExp]> = [
      ['a flipped byte in the receipt', (e) => ((proofOf(e).receipt = flip(proofOf(e).receipt, 40)), e), /receipt is not the one at index/],
      [
        'a flipped byte in a receipt proof node',
        (e) => ((proofOf(e).receiptProof[0] = flip(proofOf(e).receiptProof[0]!, 5)), e),
        /receipt proof does not hold/,
      ],
      [
        'a flipped byte in the last receipt proof node',
        (e) => {
          const p = proofOf(e).receiptProof;
          p[p.length - 1] = flip(p[p.length - 1]!, p[p.length - 1]!.length / 2 - 10);
          return e;
        },
        /receipt proof does not hold|receipt is not the one/,
      ],
      [
        'a flipped byte in the transaction',
        (e) => ((proofOf(e).transaction = flip(proofOf(e).transaction, 20)), e),
        /transaction is not the one at index/,
      ],
      [
        'a flipped byte in a transaction proof node',
        (e) => ((proofOf(e).transactionProof[0] = flip(proofOf(e).transactionProof[0]!, 5)), e),
        /transaction proof does not hold/,
      ],
      [
        'a changed header field (blockHash kept)',
        (e) => ((proofOf(e).header.gasUsed = '0x1'), e),
        /hashes to .* not to the evidence's blockHash/,
      ],
      [
        'a changed header field (blockHash dropped)',
        (e) => {
          proofOf(e).header.stateRoot = flip(proofOf(e).header.stateRoot!, 3);
          delete e.blockHash;
          return e;
        },
        /not attested as final: .*does not match this payload/,
      ],
      [
        'a receiptsRoot swapped for another',
        (e) => {
          proofOf(e).header.receiptsRoot = proofOf(e).header.transactionsRoot;
          delete e.blockHash;
          return e;
        },
        /not attested as final/,
      ],
      ['another header number than the evidence names', (e) => ((e.block += 1), e), /the header is block/],
      ['a different log index', (e) => ((proofOf(e).logIndex += 1), e), /has no log 1/],
      [
        'a packet with another seq (subject following)',
        (e) => {
          proofOf(e).packet.seq += 1;
          e.subject.packetId = packetId(proofOf(e).packet);
          return e;
        },
        /log 0 is for packet/,
      ],
      ['a packet with another seq (subject kept)', (e) => ((proofOf(e).packet.seq += 1), e), /subject names/],
      [
        'a packet with another payload',
        (e) => ((proofOf(e).packet.payload = Buffer.from('bye').toString('base64')), e),
        /commitment differs/,
      ],
      ['a packet with another timeout', (e) => ((proofOf(e).packet.timeout += 1), e), /commitment differs/],
      ['a packet from another source chain', (e) => ((proofOf(e).packet.srcChain = 'elsewhere'), e), /srcChain elsewhere/],
      ['a malformed packet', (e) => ((proofOf(e).packet.seq = 0), e), /packet is malformed/],
      [
        'another subject id',
        (e) => ((e.subject.packetId = e.subject.packetId.replace(/.$/, (c) => (c === '0' ? '1' : '0'))), e),
        /subject names/,
      ],
      ['another txId', (e) => ((e.txId = flip(e.txId, 31)), e), /not to txId/],
      [
        'an attestation by an untrusted key',
        (e) => ({
          ...e,
          attestations: [
            ...e.attestations!,
            attestBlock({ framework: 'ethereum', chain: e.chain, number: e.block, hash: e.blockHash! }, cityNode().key),
          ],
        }),
        /untrusted key/,
      ],
      [
        'fewer attestations than the threshold',
        (e) => ({ ...e, attestations: e.attestations!.slice(0, 1) }),
        /1 distinct pinned attester\(s\) signed, threshold is 2/,
      ],
      ['the same attester twice', (e) => ({ ...e, attestations: [e.attestations![0]!, e.attestations![0]!] }), /1 duplicate/],
      ['no attestations', (e) => ({ ...e, attestations: [] }), /no attestations/],
      ['attestations missing', (e) => ({ ...e, attestations: undefined }), /must be a list/],
      // a send's evidence claimed as an ack: the packet is not addressed to this chain, and no delivery log is there
      ['evidence of a send claimed as an ack', (e) => ((e.subject.kind = 'ack'), e), /dstChain peer-chain is not the chain/],
      [
        'evidence of an unknown kind',
        (e) => ((e.subject.kind = 'refund' as never), e),
        /evidence of a refund is not proven by this verifier/,
      ],
      ['evidence for another framework', (e) => ((e.framework = 'fabric'), e), /not ethereum/],
      ['evidence naming another chain', (e) => ((e.chain = 'other-chain'), e), /from chain other-chain/],
      ['no proof', (e) => ((e.proof = undefined as never), e), /no proof/],
    ];
    it.for(cases)('%s', async ([, tamper, reason], ctx) => {
      if (skipped) return ctx.skip(skipped);
      const verdict = await verify(await tamper(structuredClone(evidence)));
      expect(verdict.state).toBe('rejected');
      expect(reasonOf(verdict)).toMatch(reason);
    });
  });

  describe('evidence checked against other roots is rejected', () => {
    const cases: Array<[string, (t: TrustRoots) => TrustRoots, RegExp]> = [
      ['empty roots', (t) => ({ ...t, roots: {} }), /chain id/],
      ['another outbox address', (t) => ({ ...t, roots: { ...t.roots, outbox: '0x' + '12'.repeat(20) } }), /not by the pinned outbox/],
      ['the zero outbox address', (t) => ({ ...t, roots: { ...t.roots, outbox: '0x' + '00'.repeat(20) } }), /no outbox/],
      ['another chain id', (t) => ({ ...t, roots: { ...t.roots, chainId: 1 } }), /signed for chain id/],
      ['no attesters', (t) => ({ ...t, roots: { ...t.roots, attesters: [] } }), /no attesters/],
      ['threshold 0', (t) => ({ ...t, roots: { ...t.roots, threshold: 0 } }), /threshold/],
      ['threshold above the attesters', (t) => ({ ...t, roots: { ...t.roots, threshold: 4 } }), /threshold/],
      [
        'other attesters',
        (t) => ({ ...t, roots: { ...t.roots, attesters: [cityNode().pinned, cityNode().pinned], threshold: 1 } }),
        /untrusted key/,
      ],
      ['roots of another chain', (t) => ({ ...t, chain: 'other-chain' }), /roots are for other-chain/],
      ['roots of another framework', (t) => ({ ...t, framework: 'fabric' }), /roots are for fabric/],
    ];
    it.for(cases)('%s', async ([, change, reason], ctx) => {
      if (skipped) return ctx.skip(skipped);
      const verdict = await verify(evidence, change(structuredClone(trust)));
      expect(verdict.state).toBe('rejected');
      expect(reasonOf(verdict)).toMatch(reason);
    });
  });

  it("a reverted transaction's receipt proves nothing, however well it is included", async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    const outbox = (trust.roots as { outbox: string }).outbox;
    // An outsider's sendPacket, sent without estimation so that it is mined and reverts.
    const provider = new JsonRpcProvider(String(devnet.network.rpcUrl), Number(devnet.network.chainId), { staticNetwork: true });
    try {
      const wallet = new Wallet((devnet.network.faucet as { privateKey: string }).privateKey, provider);
      const nonce = Number(await rpc<string>(devnet, 'eth_getTransactionCount', [wallet.address, 'pending']));
      const p = { ...packet, seq: packet.seq };
      const data = outboxInterface.encodeFunctionData('sendPacket', [packetFields(p), 99, '0x' + packetId(p), '0x' + '11'.repeat(32)]);
      const tx = await wallet.sendTransaction({ to: outbox, data, gasLimit: 300_000n, nonce });
      let receipt: { status: string } | null = null;
      while (!receipt) {
        receipt = await rpc<{ status: string } | null>(devnet, 'eth_getTransactionReceipt', [tx.hash]);
        if (!receipt) await new Promise((r) => setTimeout(r, 50));
      }
      expect(receipt.status).toBe('0x0');
      await expect(failure(adapter.interchain.evidence(tx.hash, evidence.subject))).resolves.toMatchObject({ code: 'REJECTED_BY_CHAIN' });
      const inclusion = (await collectInclusion({ call: (m, params) => rpc(devnet, m, params) }, tx.hash))!;
      const forged = structuredClone(evidence);
      Object.assign(forged, { txId: tx.hash, block: inclusion.blockNumber, blockHash: inclusion.blockHash });
      Object.assign(forged.proof, {
        header: inclusion.header,
        txIndex: inclusion.txIndex,
        transaction: inclusion.transaction,
        transactionProof: inclusion.transactionProof,
        receipt: inclusion.receipt,
        receiptProof: inclusion.receiptProof,
        logIndex: 0,
      });
      const verdict = await verify(await attested(forged));
      expect(reasonOf(verdict)).toMatch(/receipt status 0/);
    } finally {
      provider.destroy();
    }
  });

  it('emit refuses non-members, frozen apps, unknown apps and malformed packets with typed errors', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    expect(await failure(adapter.interchain.emit(app, input(), outsider.signer))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await failure(adapter.interchain.emit({ appId: unique('nope') }, input(), member.signer))).toMatchObject({ code: 'NOT_FOUND' });
    for (const [bad, field] of [
      [{ dstChain: 'Bad Chain' }, '/packet/dstChain'],
      [{ dstApp: '' }, '/packet/dstApp'],
      [{ method: '1x' }, '/packet/method'],
      [{ payload: '***' }, '/packet/payload'],
      [{ timeout: 0 }, '/packet/timeout'],
      [{ grantRef: 'a b' }, '/packet/grantRef'],
    ] as const) {
      expect(await failure(adapter.interchain.emit(app, input(bad), member.signer))).toMatchObject({ code: 'INVALID_INPUT', field });
    }
    // a timeout already past is refused by the outbox itself
    expect(await failure(adapter.interchain.emit(app, input({ timeout: 1_000 }), member.signer))).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/packet/timeout',
    });
    const frozen = await adapter.lifecycle.create(
      {
        appId: unique('ic-frozen'),
        name: 'frozen',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [member.account],
      },
      admin.signer,
    );
    await adapter.lifecycle.freeze(frozen, admin.signer);
    expect(await failure(adapter.interchain.emit(frozen, input(), member.signer))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('evidence() refuses what it cannot prove: unknown transactions, transactions without the packet, bad input', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    const subject = evidence.subject;
    expect(await failure(adapter.interchain.evidence('0x' + '00'.repeat(32), subject))).toMatchObject({ code: 'NOT_FOUND' });
    const put = await adapter.kv.put(
      { app, key: unique('k'), requestId: unique('req'), value: new TextEncoder().encode('v') },
      member.signer,
    );
    expect(await failure(adapter.interchain.evidence(put.txId, subject))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(adapter.interchain.evidence(evidence.txId, { kind: 'packet', packetId: '00'.repeat(32) }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(adapter.interchain.evidence('xyz', subject))).toMatchObject({ code: 'INVALID_INPUT', field: '/txId' });
    // a send transaction records no ack of its packet
    expect(await failure(adapter.interchain.evidence(evidence.txId, { kind: 'ack', packetId: subject.packetId }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      await failure(adapter.interchain.evidence(evidence.txId, { kind: 'refund' as never, packetId: subject.packetId })),
    ).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/subject/kind',
    });
  });

  it('a network without a faucet uses the outbox its config names, and refuses one that is not an outbox of its registry', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    const outbox = (trust.roots as { outbox: string }).outbox;
    const configured = await connect(devnet, { faucet: undefined, registry: adapter.registryAddress, outbox });
    try {
      expect(
        (
          await configured.interchain.trustRoots(
            nodes.map((n) => n.pinned),
            2,
          )
        ).roots,
      ).toEqual(trust.roots);
      expect((await configured.interchain.verify(evidence, trust)).state).toBe('proven');
    } finally {
      await configured.close();
    }
    const wrong = await connect(devnet, { faucet: undefined, registry: adapter.registryAddress, outbox: adapter.registryAddress });
    try {
      expect(await failure(wrong.interchain.trustRoots([nodes[0]!.pinned], 1))).toMatchObject({ code: 'INVALID_INPUT', field: '/outbox' });
    } finally {
      await wrong.close();
    }
    const none = await connect(devnet, { faucet: undefined, registry: adapter.registryAddress });
    try {
      expect(await failure(none.interchain.emit(app, input(), member.signer))).toMatchObject({ code: 'INVALID_INPUT', field: '/outbox' });
    } finally {
      await none.close();
    }
  });

  it('trustRoots pins this chain and its outbox; the delivery half is offered', async (ctx) => {
    if (skipped) return ctx.skip(skipped);
    expect(trust).toMatchObject({
      framework: 'ethereum',
      chain: devnet.network.name,
      roots: { chainId: devnet.network.chainId, threshold: 2 },
    });
    expect((trust.roots as { outbox: string }).outbox).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(await failure(adapter.interchain.trustRoots([], 1))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await failure(adapter.interchain.trustRoots([nodes[0]!.pinned], 2))).toMatchObject({ code: 'INVALID_INPUT' });
    // an unsound attester policy is refused naming the field
    expect(await failure(adapter.interchain.trustRoots([nodes[0]!.pinned, nodes[0]!.pinned], 1))).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/attesters/1',
    });
    expect(await failure(adapter.interchain.trustRoots([{ ...nodes[0]!.pinned, publicKey: '04' }], 1))).toMatchObject({
      code: 'INVALID_INPUT',
      field: '/attesters/0/publicKey',
    });
    // interchain.deliver is claimed, and the part offers the whole delivery half (delivery.test.ts runs it)
    expect(adapter.describe().capabilities).toContain('interchain.deliver');
    const ic = adapter.interchain as Interchain;
    for (const m of ['configureDelivery', 'setGrant', 'deliver', 'recordTimeout', 'acknowledge', 'closeTimedOut', 'packetState'] as const)
      expect(typeof ic[m], m).toBe('function');
  });
});
