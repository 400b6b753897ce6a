import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packetId, type Evidence, type TrustRoots } from '@bsn/contract';
import { blockHash } from '../protocol/block-header.js';
import { cryptoSuite, type CryptoMode } from '../protocol/crypto-suite.js';
import { DOC_BLOCK_2 } from '../protocol/__fixtures__/fisco-doc-vectors.js';
import { startTestChain, type TestChain } from '../__fixtures__/fisco-chain.js';
import type { FiscoProof } from './fisco-proof.js';
import type { FiscoRoots } from './fisco-roots.js';
import { SealerSignatures } from './sealer-signatures.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'));

describe('sealer signatures, as a FISCO light client counts them', () => {
  it('2f + 1 of n: 1 of 1, 3 of 4, 5 of 7', () => {
    expect([1, 4, 7, 10].map((n) => SealerSignatures.quorum(n))).toEqual([1, 3, 5, 7]);
    expect(SealerSignatures.quorum(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it("accepts the real SM node's block 2 (3 of its 4 sealers signed), refuses it with a signature fewer or another sealer pinned", () => {
    const suite = cryptoSuite('sm');
    const header = {
      version: DOC_BLOCK_2.version,
      parentInfo: DOC_BLOCK_2.parentInfo.map((p) => ({ blockNumber: p.blockNumber, blockHash: hex(p.blockHash) })),
      txsRoot: hex(DOC_BLOCK_2.txsRoot),
      receiptsRoot: hex(DOC_BLOCK_2.receiptsRoot),
      stateRoot: hex(DOC_BLOCK_2.stateRoot),
      number: DOC_BLOCK_2.number,
      gasUsed: DOC_BLOCK_2.gasUsed,
      timestamp: DOC_BLOCK_2.timestamp,
      sealer: DOC_BLOCK_2.sealer,
      sealerList: DOC_BLOCK_2.sealerList.map(hex),
      extraData: hex(DOC_BLOCK_2.extraData),
      consensusWeights: [...DOC_BLOCK_2.consensusWeights],
    };
    const hash = blockHash(suite, header);
    const roots = {
      chainId: 'chain0',
      groupId: 'group0',
      crypto: 'sm',
      registry: '0x' + '11'.repeat(20),
      sealers: DOC_BLOCK_2.sealerList.map((s) => s.slice(2)),
    } as FiscoRoots;
    const signatures = DOC_BLOCK_2.signatureList.map((s) => ({ ...s }));
    expect(() => SealerSignatures.check(suite, roots, header, hash, signatures)).not.toThrow();
    expect(() => SealerSignatures.check(suite, roots, header, hash, signatures.slice(1))).toThrow(
      /2 of 4 sealers signed the block; 2f \+ 1 = 3 must/,
    );
    expect(() => SealerSignatures.check(suite, roots, header, hash, [...signatures, signatures[0]!])).toThrow(/counted twice/);
    const otherPinned = { ...roots, sealers: [...roots.sealers.slice(0, 3), '22'.repeat(64)] };
    expect(() => SealerSignatures.check(suite, otherPinned, header, hash, signatures)).toThrow(/not the pinned sealers/);
  });
});

for (const mode of ['standard', 'sm'] as CryptoMode[]) {
  describe(`FISCO evidence on an emulated ${mode} chain`, () => {
    let chain: TestChain;
    let evidence: Evidence;
    let trust: TrustRoots;
    beforeAll(async () => {
      // Transactions sent together wait 40 ms to share a block (as a node's min_seal_time makes them).
      chain = await startTestChain(mode, {}, { sealDelayMs: 40 });
      const admin = chain.signer();
      const app = await chain.adapter.lifecycle.create(
        {
          appId: `ic-${mode}`,
          name: 'ic',
          framework: 'fisco-bcos',
          mode: 'consortium',
          placement: 'shared',
          contract: { kind: 'preset-kv' },
          members: [],
        },
        admin,
      );
      const ic = chain.adapter.interchain!;
      const { packet, receipt } = await ic.emit(
        app,
        {
          dstChain: 'peer',
          dstApp: 'target',
          method: 'ping',
          payload: Buffer.from('hi').toString('base64'),
          timeout: Date.now() + 60_000,
          grantRef: 'g-1',
        },
        admin,
      );
      evidence = await ic.evidence(receipt.txId, { kind: 'packet', packetId: packetId(packet) });
      // The roots a city node pins, without attesters: the sealers' signatures alone must do.
      // trustRoots needs some attester policy; the attester (of this chain's algorithm) is then dropped.
      const attester = chain.signer();
      const pinned = await ic.trustRoots!(
        [{ algorithm: attester.algorithm, publicKey: Buffer.from(attester.publicKey).toString('hex') }],
        1,
      );
      const { attesters: _attesters, threshold: _threshold, ...roots } = pinned.roots as unknown as FiscoRoots;
      trust = { ...pinned, roots: roots as unknown as Record<string, unknown> };
    });
    afterAll(() => chain?.close());

    const verify = (e: Evidence, t = trust) => chain.adapter.interchain!.verify(e, t);
    const withProof = (change: (p: FiscoProof) => void): Evidence => {
      const copy = structuredClone(evidence);
      change(copy.proof as unknown as FiscoProof);
      return copy;
    };

    it('the evidence proves the packet with the pinned sealers alone (no attesters pinned)', async () => {
      expect((trust.roots as unknown as FiscoRoots).attesters).toBeUndefined();
      const verdict = await verify(evidence);
      expect(verdict.state, verdict.state === 'rejected' ? verdict.reason : '').toBe('proven');
    });

    it('fewer than 2f + 1 sealer signatures prove nothing', async () => {
      expect((evidence.proof as unknown as FiscoProof).signatureList).toHaveLength(3);
      const two = await verify(withProof((p) => (p.signatureList = p.signatureList.slice(0, 2))));
      expect(two).toMatchObject({ state: 'rejected', reason: expect.stringContaining('2f + 1 = 3 must') });
      expect((await verify(withProof((p) => (p.signatureList = [])))).state).toBe('rejected');
    });

    it('another receipt, a receipt proof to another root, a log of another contract: rejected', async () => {
      expect(await verify(withProof((p) => (p.receipt.output = '0x01')))).toMatchObject({
        state: 'rejected',
        reason: expect.stringContaining('Merkle'),
      });
      expect(await verify(withProof((p) => (p.logIndex = 5)))).toMatchObject({ state: 'rejected' });
      const roots = { ...(trust.roots as unknown as FiscoRoots), registry: '0x' + '33'.repeat(20) };
      expect(await verify(evidence, { ...trust, roots: roots as unknown as Record<string, unknown> })).toMatchObject({
        state: 'rejected',
        reason: expect.stringContaining('pinned registry'),
      });
    });

    it('the txId is bound: another transaction, one of the same block at another place, or a txProof to another root is rejected', async () => {
      const flipped = evidence.txId.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
      expect(await verify({ ...structuredClone(evidence), txId: flipped })).toMatchObject({
        state: 'rejected',
        reason: expect.stringContaining(`transaction ${flipped} is not proven in the block's txsRoot`),
      });
      expect((await verify(withProof((p) => (p.txProof = [])))).state).toBe('rejected');

      // Two packets sent at once share a block: each one's evidence naming the other's transaction is refused.
      const admin = chain.signer();
      const ic = chain.adapter.interchain!;
      const apps = await Promise.all(
        ['a', 'b'].map((x) =>
          chain.adapter.lifecycle.create(
            {
              appId: `ic-${mode}-${x}`,
              name: x,
              framework: 'fisco-bcos',
              mode: 'consortium',
              placement: 'shared',
              contract: { kind: 'preset-kv' },
              members: [],
            },
            admin,
          ),
        ),
      );
      const input = { dstChain: 'peer', dstApp: 'target', method: 'ping', payload: 'aGk=', timeout: Date.now() + 60_000, grantRef: 'g-2' };
      // Sent together they wait 40 ms for each other; on a loaded machine one may still miss the block: try again.
      let sent = await Promise.all(apps.map((app) => ic.emit(app, input, admin)));
      for (let attempt = 1; attempt < 5 && sent[0]!.receipt.block.number !== sent[1]!.receipt.block.number; attempt++) {
        sent = await Promise.all(apps.map((app) => ic.emit(app, input, admin)));
      }
      expect(sent[0]!.receipt.block.number, 'both packets in one block').toBe(sent[1]!.receipt.block.number);
      const [a, b] = await Promise.all(sent.map((s) => ic.evidence(s.receipt.txId, { kind: 'packet', packetId: packetId(s.packet) })));
      expect((await verify(a!)).state).toBe('proven');
      expect((await verify(b!)).state).toBe('proven');
      const aNamingB = {
        ...structuredClone(a!),
        txId: b!.txId,
        proof: { ...structuredClone(a!.proof), txProof: (b!.proof as unknown as FiscoProof).txProof },
      };
      expect(await verify(aNamingB)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('another place in the block') });
    });

    it('roots of the other crypto mode prove nothing', async () => {
      const roots = { ...(trust.roots as unknown as FiscoRoots), crypto: mode === 'sm' ? 'standard' : 'sm' };
      expect((await verify(evidence, { ...trust, roots: roots as unknown as Record<string, unknown> })).state).toBe('rejected');
    });
  });
}
