import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ackCommitment,
  attestInterchain,
  attesterPublicKey,
  canonicalJson,
  encodePacketCall,
  generatePrivateKey,
  packetCommitment,
  packetId,
  toBase64,
  type AppInfo,
  type AttestedKind,
  type Evidence,
  type InterchainAttestation,
  type Packet,
  type PacketCall,
  type Signer,
} from '@bsn/contract';
import { startTestChain, type TestChain } from '../__fixtures__/fisco-chain.js';
import { ContractCalls } from '../contracts/contract-calls.js';
import type { ChainContext } from '../chain-context.js';
import { FiscoDelivery } from './delivery.js';
import type { FiscoProof } from './fisco-proof.js';
import type { FiscoRoots } from './fisco-roots.js';

const CALLABLE = ['kv.put', 'kv.get', 'kv.delete'];

/** The typed error a promise is refused with (fails the test if it resolves). */
async function expectBsnError(p: Promise<unknown>, code: string, o: { what?: string } = {}) {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string },
  );
  expect(error?.code, `${o.what ?? 'the call'}: ${error?.message ?? 'resolved'}`).toBe(code);
  return error;
}

// Delivery on the FISCO BCOS 3.x emulator (a real EVM running the Yul registry): a loopback, app A
// sending to app B on one chain, 2 of 3 pinned attesters. Every refusal is checked against the
// chain itself — the registry's own records and the target key — not against the adapter's word.
for (const mode of ['standard', 'sm'] as const)
  describe(`FISCO delivery through BsnKvRegistry (${mode} emulator)`, () => {
    let chain: TestChain;
    let d: FiscoDelivery;
    let c: ChainContext;
    let admin: Signer;
    let a: AppInfo;
    let b: AppInfo;
    const keys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
    const sign = (kind: AttestedKind, commitment: string, by = keys.slice(0, 2)): InterchainAttestation[] =>
      by.map((k) => attestInterchain(kind, commitment, k));

    beforeAll(async () => {
      chain = await startTestChain(mode);
      c = (chain.adapter as unknown as { c: ChainContext }).c;
      d = new FiscoDelivery(c);
      admin = chain.signer();
      const spec = (appId: string) => ({
        appId,
        name: appId,
        framework: 'fisco-bcos',
        mode: 'consortium' as const,
        placement: 'shared' as const,
        contract: { kind: 'preset-kv' as const },
        members: [],
      });
      [a, b] = await Promise.all([
        chain.adapter.lifecycle.create(spec('src-a'), admin),
        chain.adapter.lifecycle.create(spec('dst-b'), admin),
      ]);
      await d.configureDelivery({ publicKeys: keys.map(attesterPublicKey), threshold: 2 }, chain.operator);
      const grant = { peerChain: chain.network.name, ref: 'g-ab', methods: CALLABLE, expiresAt: 0, revoked: false };
      await d.setGrant(a, { ...grant, direction: 'outgoing', peerApp: b.appId }, admin);
      await d.setGrant(b, { ...grant, direction: 'incoming', peerApp: a.appId }, admin);
    }, 60_000);
    afterAll(() => chain?.close());

    /** Verified against roots of the pinned sealers alone, as a city node of another framework pins them. */
    const verify = async (e: Evidence) => {
      const attester = chain.signer();
      const pinned = await chain.adapter.interchain!.trustRoots!(
        [{ algorithm: attester.algorithm, publicKey: Buffer.from(attester.publicKey).toString('hex') }],
        1,
      );
      const { attesters: _a, threshold: _t, ...roots } = pinned.roots as unknown as FiscoRoots;
      return chain.adapter.interchain!.verify(e, { ...pinned, roots: roots as unknown as Record<string, unknown> });
    };

    const send = async (call: PacketCall | { method: string; payload: Uint8Array }, timeout = Date.now() + 3_600_000) => {
      const { packet, receipt } = await chain.adapter.interchain!.emit(
        a,
        {
          dstChain: chain.network.name,
          dstApp: b.appId,
          method: call.method,
          payload: toBase64('payload' in call ? call.payload : encodePacketCall(call)),
          timeout,
          grantRef: 'g-ab',
        },
        admin,
      );
      return { packet, receipt };
    };
    const value = async (key: string) => {
      const entry = await chain.adapter.kv.get(b, key);
      return entry && Buffer.from(entry.value).toString();
    };

    it('sends only what the chain rebuilds byte for byte: commitment, id and packet.sent are core’s for every base64 tail', async () => {
      // Payloads of 3k, 3k+1, 3k+2 bytes: every base64 padding the registry writes.
      for (const tail of ['', 'x', 'xy']) {
        const { packet, receipt } = await send({ method: 'kv.put', key: `pad-${tail.length}`, value: Buffer.from('v' + tail) });
        const sent = receipt.events.find((e) => e.name === 'packet.sent');
        expect(sent && Buffer.from(sent.payload).toString()).toBe(canonicalJson(packet));
      }
    });

    it('delivers once: the key written, the ack OK in the same transaction; a replay is CONFLICT and changes nothing', async () => {
      const { packet } = await send({ method: 'kv.put', key: 'k1', value: Buffer.from('one') });
      const attestations = sign('packet', packetCommitment(packet));
      const { receipt, ack } = await d.deliver(packet, attestations, chain.signer());
      expect(ack).toMatchObject({ status: 'OK', result: '' });
      expect(receipt.events.map((e) => e.name)).toContain('packet.received');
      expect(await value('k1')).toBe('one');
      expect(await d.packetState(packet)).toMatchObject({ side: 'target', state: 'delivered', ack });
      await expectBsnError(d.deliver(packet, attestations, chain.signer()), 'CONFLICT', { what: 'a replayed delivery' });
      const history = await chain.adapter.kv.history(b, 'k1');
      expect(history.length).toBe(1);
      // the source records the attested ack once, with its callback on A's stream
      const acked = await d.acknowledge(packet, ack, sign('ack', ackCommitment(ack)), chain.signer());
      expect(acked.events.find((e) => e.name === 'packet.acknowledged')).toBeDefined();
      expect(await d.packetState(packet)).toMatchObject({ side: 'source', state: 'acknowledged', ack });
      await expectBsnError(d.acknowledge(packet, ack, sign('ack', ackCommitment(ack)), chain.signer()), 'CONFLICT');
      await expectBsnError(d.closeTimedOut(packet, sign('timeout', packetCommitment(packet)), chain.signer()), 'CONFLICT');
    });

    it('refuses below threshold — one attester, one counted twice, an unpinned one, a forged commitment — with nothing written', async () => {
      const { packet } = await send({ method: 'kv.put', key: 'k2', value: Buffer.from('two') });
      const c0 = packetCommitment(packet);
      const stranger = generatePrivateKey('secp256k1');
      const other = packetCommitment({
        ...packet,
        payload: toBase64(encodePacketCall({ method: 'kv.put', key: 'k2', value: Buffer.from('evil') })),
      });
      for (const [what, attestations] of [
        ['one attester', sign('packet', c0, keys.slice(0, 1))],
        ['one attester twice', [...sign('packet', c0, keys.slice(0, 1)), ...sign('packet', c0, keys.slice(0, 1))]],
        ['an unpinned attester', sign('packet', c0, [keys[0]!, stranger])],
        ['attested as an ack', sign('ack', c0)],
        ['another packet attested', sign('packet', other)],
        ['none', []],
      ] as const) {
        await expectBsnError(d.deliver(packet, [...attestations], chain.signer()), 'UNAUTHORIZED', { what });
        expect((await d.packetState(packet)).state, what).toBe('sent');
        expect(await value('k2'), what).toBeNull();
      }
      // a packet whose payload a relayer changed: the chain rebuilds another commitment
      const forged: Packet = {
        ...packet,
        payload: toBase64(encodePacketCall({ method: 'kv.put', key: 'k2', value: Buffer.from('evil') })),
      };
      await expectBsnError(d.deliver(forged, sign('packet', c0), chain.signer()), 'UNAUTHORIZED', { what: 'a changed payload' });
      expect(await value('k2')).toBeNull();
    });

    it('kv.get answers the value in its ack, a missing key NOT_FOUND, a malformed payload INVALID_INPUT — each delivered once', async () => {
      const put = await send({ method: 'kv.put', key: 'g1', value: Buffer.from('got') });
      await d.deliver(put.packet, sign('packet', packetCommitment(put.packet)), chain.signer());
      const cases: Array<[PacketCall | { method: string; payload: Uint8Array }, string, string]> = [
        [{ method: 'kv.get', key: 'g1' }, 'OK', Buffer.from('got').toString('base64')],
        [{ method: 'kv.get', key: 'absent' }, 'NOT_FOUND', ''],
        [{ method: 'kv.put', payload: Uint8Array.of(0, 9, 65) }, 'INVALID_INPUT', ''],
        [{ method: 'kv.get', payload: Uint8Array.of(0xc0, 0x80) }, 'INVALID_INPUT', ''],
        [{ method: 'kv.delete', key: 'g1' }, 'OK', ''],
      ];
      for (const [call, status, result] of cases) {
        const { packet } = await send(call);
        const { ack } = await d.deliver(packet, sign('packet', packetCommitment(packet)), chain.signer());
        expect([ack.status, ack.result], JSON.stringify(call)).toEqual([status, result]);
      }
      expect(await value('g1')).toBeNull();
    });

    it('a packet past its timeout is refused; its attested timeout record closes it on the source, once', async () => {
      const { packet } = await send({ method: 'kv.put', key: 't1', value: Buffer.from('late') }, Date.now() + 1_500);
      await new Promise((r) => setTimeout(r, 1_600));
      const attestations = sign('packet', packetCommitment(packet));
      await expectBsnError(d.deliver(packet, attestations, chain.signer()), 'CONFLICT', { what: 'a late delivery' });
      const recorded = await d.recordTimeout(packet, attestations, chain.signer());
      const evidence = await chain.adapter.interchain!.evidence(recorded.txId, { kind: 'timeout', packetId: packetId(packet) });
      expect(await verify(evidence)).toMatchObject({ state: 'proven', packet });
      expect(await d.packetState(packet)).toMatchObject({ state: 'timed-out' });
      await expectBsnError(d.deliver(packet, attestations, chain.signer()), 'CONFLICT', { what: 'a delivery after the timeout record' });
      await expectBsnError(
        d.closeTimedOut(packet, sign('timeout', packetCommitment(packet), keys.slice(1, 2)), chain.signer()),
        'UNAUTHORIZED',
      );
      await d.closeTimedOut(packet, sign('timeout', packetCommitment(packet)), chain.signer());
      expect(await d.packetState(packet)).toMatchObject({ side: 'source', state: 'timed-out' });
      expect(await value('t1')).toBeNull();
    });

    it('grants: no outgoing grant, nothing sent; a method the target does not grant or packets may not call, nothing executed', async () => {
      await d.setGrant(
        b,
        {
          direction: 'incoming',
          peerChain: chain.network.name,
          peerApp: a.appId,
          ref: 'g-ab',
          methods: ['kv.get'],
          expiresAt: 0,
          revoked: false,
        },
        admin,
      );
      const { packet } = await send({ method: 'kv.put', key: 'n1', value: Buffer.from('no') });
      await expectBsnError(d.deliver(packet, sign('packet', packetCommitment(packet)), chain.signer()), 'UNAUTHORIZED', {
        what: 'an ungranted method',
      });
      expect(await value('n1')).toBeNull();
      await d.setGrant(
        b,
        {
          direction: 'incoming',
          peerChain: chain.network.name,
          peerApp: a.appId,
          ref: 'g-ab',
          methods: CALLABLE,
          expiresAt: 0,
          revoked: false,
        },
        admin,
      );
      // an expired incoming grant, at an even and an odd expiry: the chain compares numbers, not bits
      const incoming = (expiresAt: number) =>
        d.setGrant(
          b,
          {
            direction: 'incoming',
            peerChain: chain.network.name,
            peerApp: a.appId,
            ref: 'g-ab',
            methods: CALLABLE,
            expiresAt,
            revoked: false,
          },
          admin,
        );
      const past = Date.now() - 60_000;
      for (const expiresAt of [past - (past % 2), past - (past % 2) + 1]) {
        await incoming(expiresAt);
        await expectBsnError(d.deliver(packet, sign('packet', packetCommitment(packet)), chain.signer()), 'UNAUTHORIZED', {
          what: `a grant expired at ${expiresAt}`,
        });
        expect(await value('n1')).toBeNull();
      }
      await incoming(Date.now() + 3_600_000);
      const { ack: late } = await d.deliver(packet, sign('packet', packetCommitment(packet)), chain.signer());
      expect([late.status, await value('n1')]).toEqual(['OK', 'no']);
      await incoming(0);
      const odd = { ...(await send({ method: 'kv.put', key: 'n3', value: Buffer.from('no') })).packet, method: 'kv.list' };
      // attested (attesters vouch for commitments, not for what is callable), yet refused before anything runs
      await expectBsnError(d.deliver(odd, sign('packet', packetCommitment(odd)), chain.signer()), 'INVALID_INPUT', {
        what: 'a method packets may not call',
      });
      expect((await d.packetState(odd)).state).toBe('none');
      await d.setGrant(
        a,
        {
          direction: 'outgoing',
          peerChain: chain.network.name,
          peerApp: b.appId,
          ref: 'g-ab',
          methods: CALLABLE,
          expiresAt: 0,
          revoked: true,
        },
        admin,
      );
      await expectBsnError(send({ method: 'kv.put', key: 'n2', value: Buffer.from('no') }), 'UNAUTHORIZED', {
        what: 'a revoked outgoing grant',
      });
      await d.setGrant(
        a,
        {
          direction: 'outgoing',
          peerChain: chain.network.name,
          peerApp: b.appId,
          ref: 'g-ab',
          methods: CALLABLE,
          expiresAt: 0,
          revoked: false,
        },
        admin,
      );
    });

    it('only the operator pins attesters, only the admin sets grants, only the registry reaches the app’s packet entry', async () => {
      const stranger = chain.signer();
      await expectBsnError(
        d.configureDelivery({ publicKeys: [attesterPublicKey(generatePrivateKey('secp256k1'))], threshold: 1 }, stranger),
        'UNAUTHORIZED',
      );
      await expectBsnError(
        d.setGrant(
          b,
          { direction: 'incoming', peerChain: 'evil', peerApp: 'x', ref: 'r', methods: CALLABLE, expiresAt: 0, revoked: false },
          stranger,
        ),
        'UNAUTHORIZED',
      );
      // the app's admin calling packetCall itself, to write without a packet
      const calls = new ContractCalls(c.suite, c.chain);
      const input = calls.app.encode('packetCall', [1, 'direct', Buffer.from('x')]);
      const raw = await c.txs.signAndSend((await c.apps.get(b.appId)).address, input, admin, 'a direct packetCall', Date.now() + 10_000);
      expect(calls.revertOf(Buffer.from(raw.output.slice(2), 'hex'))?.name).toBe('NotRegistry');
      expect(await value('direct')).toBeNull();
    });
  });
