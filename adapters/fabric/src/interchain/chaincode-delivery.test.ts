// The chaincode's delivery parts against core, with no network: the packet id, packet and ack
// commitments it rebuilds equal core's for many packets; the attestations it counts are the ones
// core's countAttestations counts (forged, high-S, wrong v, unpinned, other kind: none count);
// a field outside its alphabet is refused before anything is hashed; a packet call's ack.
import { createRequire } from 'node:module';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  ackCommitment,
  attestInterchain,
  attesterPublicKey,
  countAttestations,
  encodePacketCall,
  packetCommitment,
  packetId,
  type Ack,
  type AttestedKind,
  type InterchainAttestation,
  type Packet,
} from '@bsn/contract';
import { parseRefusal } from '../errors.js';

const require = createRequire(import.meta.url);
const packets = require('../../chaincode/lib/packets.js') as {
  packetIdOf(p: Packet): string;
  commitmentOf(p: Packet): string;
  checkPacket(json: string): Packet;
};
const acks = require('../../chaincode/lib/acks.js') as { ackCommitmentOf(a: Ack): string; checkAck(json: string): Ack };
const attestations = require('../../chaincode/lib/attestations.js') as {
  requireAttested(config: { publicKeys: string[]; threshold: number }, kind: AttestedKind, commitment: string, json: string): string[];
  attestersFault(keys: unknown, t: unknown): { field: string; why: string } | undefined;
};
const packetCall = require('../../chaincode/lib/packet-call.js') as {
  execute(ctx: unknown, appId: string, method: string, payload: string): Promise<{ status: string; result: string }>;
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet: string, min: number, max: number) =>
  Array.from({ length: randomInt(min, max + 1) }, () => alphabet[randomInt(alphabet.length)]).join('');
const randomPacket = (): Packet => ({
  v: 1,
  srcChain: pick('abc0123', 1, 1) + pick('abcxyz0189._-', 0, 63),
  srcApp: pick(`${ALNUM}._:-`, 1, 128),
  dstChain: pick('qrs789', 1, 1) + pick('abcxyz0189._-', 0, 20),
  dstApp: pick(`${ALNUM}._:-`, 1, 40),
  seq: randomInt(1, 2 ** 47) * (randomInt(2) ? 1 : 64) || 1,
  method: pick('abcXYZ_', 1, 1) + pick(`${ALNUM}_.`, 0, 63),
  payload: randomBytes(randomInt(0, 200)).toString('base64'),
  timeout: randomInt(1, 2 ** 47) * 64,
  grantRef: pick(`${ALNUM}._:-`, 1, 128),
});

function refusal(f: () => unknown) {
  try {
    f();
  } catch (e) {
    return parseRefusal((e as Error).message);
  }
  return undefined;
}

describe('commitments rebuilt by the chaincode', () => {
  test('packet id, packet commitment and ack commitment equal core’s for 500 random packets and acks', () => {
    for (let i = 0; i < 500; i++) {
      const p = randomPacket();
      const checked = packets.checkPacket(JSON.stringify(p));
      expect(packets.packetIdOf(checked)).toBe(packetId(p));
      expect(packets.commitmentOf(checked)).toBe(packetCommitment(p));
      const ack: Ack = {
        packetId: packetId(p),
        commitment: packetCommitment(p),
        status: (['OK', 'INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'REJECTED_BY_CHAIN', 'UNAUTHORIZED'] as const)[i % 6]!,
        result: randomBytes(i % 40).toString('base64'),
      };
      expect(acks.ackCommitmentOf(acks.checkAck(JSON.stringify(ack)))).toBe(ackCommitment(ack));
    }
    // Edge values: seq and timeout at 2^53 − 1, an empty payload.
    const edge = { ...randomPacket(), seq: Number.MAX_SAFE_INTEGER, timeout: Number.MAX_SAFE_INTEGER, payload: '' };
    expect(packets.commitmentOf(packets.checkPacket(JSON.stringify(edge)))).toBe(packetCommitment(edge));
  });

  test('a field outside its alphabet is refused before anything is hashed, naming the field', () => {
    const p = randomPacket();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ srcApp: 'a"b' }, '/packet/srcApp'],
      [{ dstApp: 'a\\u0022' }, '/packet/dstApp'],
      [{ grantRef: 'g","x":"y' }, '/packet/grantRef'],
      [{ method: 'kv.put"' }, '/packet/method'],
      [{ srcChain: 'Upper' }, '/packet/srcChain'],
      [{ dstChain: 'é' }, '/packet/dstChain'],
      [{ payload: 'ab"c' }, '/packet/payload'],
      [{ seq: 0 }, '/packet/seq'],
      [{ seq: 2 ** 53 }, '/packet/seq'],
      [{ seq: 1.5 }, '/packet/seq'],
      [{ timeout: '5' }, '/packet/timeout'],
      [{ v: 2 }, '/packet/v'],
      [{ extra: 1 }, '/packet/extra'],
    ];
    for (const [over, field] of bad) {
      expect(
        refusal(() => packets.checkPacket(JSON.stringify({ ...p, ...over }))),
        field,
      ).toMatchObject({ code: 'INVALID_INPUT', data: { field } });
    }
    expect(refusal(() => packets.checkPacket('not json'))).toMatchObject({ code: 'INVALID_INPUT', data: { field: '/packet' } });
  });
});

describe('attestations counted by the chaincode', () => {
  const keys = Array.from({ length: 5 }, () => randomBytes(32));
  const pinned = { publicKeys: keys.slice(0, 3).map((k) => attesterPublicKey(k)), threshold: 2 };
  const commitment = packetCommitment(randomPacket());
  const onChain = (list: unknown, kind: AttestedKind = 'packet', c = commitment) => {
    try {
      return { ok: true as const, signers: attestations.requireAttested(pinned, kind, c, JSON.stringify(list)).length };
    } catch (e) {
      return { ok: false as const, refusal: parseRefusal((e as Error).message) };
    }
  };
  const core = (list: InterchainAttestation[], kind: AttestedKind = 'packet') => countAttestations(kind, commitment, list, pinned);
  const highS = (a: InterchainAttestation): InterchainAttestation => {
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${a.signature.slice(64, 128)}`);
    const v = parseInt(a.signature.slice(128), 16);
    return { ...a, signature: a.signature.slice(0, 64) + (n - s).toString(16).padStart(64, '0') + (v === 27 ? '1c' : '1b') };
  };
  const flipV = (a: InterchainAttestation): InterchainAttestation => ({
    ...a,
    signature: a.signature.slice(0, 128) + (a.signature.endsWith('1b') ? '1c' : '1b'),
  });

  test('t distinct pinned signers pass, on chain as in core, whatever their v (both parities met over 40 keys)', () => {
    const vs = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const ks = [randomBytes(32), randomBytes(32), randomBytes(32)];
      const set = { publicKeys: ks.map((k) => attesterPublicKey(k)), threshold: 2 };
      const list = ks.slice(0, 2).map((k) => attestInterchain('ack', commitment, k));
      list.forEach((a) => vs.add(a.signature.slice(128)));
      expect(attestations.requireAttested(set, 'ack', commitment, JSON.stringify(list))).toHaveLength(2);
      expect(countAttestations('ack', commitment, list, set).ok).toBe(true);
      // The same signatures with v flipped recover to other keys: counted neither in core nor on chain.
      const flipped = list.map(flipV);
      expect(countAttestations('ack', commitment, flipped, set).ok).toBe(false);
      expect(refusal(() => attestations.requireAttested(set, 'ack', commitment, JSON.stringify(flipped)))).toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
    expect([...vs].sort()).toEqual(['1b', '1c']);
  });

  test('below threshold, duplicates, unpinned, high S, other kind or commitment: refused on chain exactly when core refuses', () => {
    const a = keys.map((k) => attestInterchain('packet', commitment, k));
    const cases: Array<[string, InterchainAttestation[], number]> = [
      ['one pinned', [a[0]!], 0],
      ['one pinned twice', [a[0]!, a[0]!], 0],
      ['one pinned and two unpinned', [a[0]!, a[3]!, a[4]!], 0],
      ['two pinned, one high S', [a[0]!, highS(a[1]!)], 0],
      ['two pinned, one v flipped', [a[0]!, flipV(a[1]!)], 0],
      ['two pinned, one of another kind', [a[0]!, attestInterchain('timeout', commitment, keys[1]!)], 0],
      ['two pinned, one over another commitment', [a[0]!, attestInterchain('packet', 'ab'.repeat(32), keys[1]!)], 0],
      ['two pinned, one signature byte flipped', [a[0]!, { ...a[1]!, signature: 'ff' + a[1]!.signature.slice(2) }], 0],
      ['two pinned', [a[0]!, a[1]!], 2],
      ['three pinned, one twice', [a[0]!, a[1]!, a[2]!, a[2]!], 3],
    ];
    for (const [what, list, signers] of cases) {
      const chain = onChain(list);
      expect(chain.ok, what).toBe(core(list).ok);
      if (signers) expect(chain, what).toEqual({ ok: true, signers });
      else expect(chain, what).toMatchObject({ ok: false, refusal: { code: 'UNAUTHORIZED' } });
      expect(chain.ok ? '' : (chain.refusal?.message ?? ''), what).toMatch(signers ? /^$/ : /attestations below threshold/);
    }
    expect(onChain([])).toMatchObject({ ok: false, refusal: { code: 'UNAUTHORIZED' } });
    expect(onChain('x')).toMatchObject({ ok: false, refusal: { code: 'INVALID_INPUT', data: { field: '/attestations' } } });
    expect(onChain([a[0], a[1]], 'ack')).toMatchObject({ ok: false, refusal: { code: 'UNAUTHORIZED' } });
  });

  test('an unsound attester set is refused at configuration (t ≤ M/2, t = 0, a key twice or off the curve, none)', () => {
    const k = pinned.publicKeys;
    expect(attestations.attestersFault(k, 2)).toBeUndefined();
    expect(attestations.attestersFault(k, 1)).toMatchObject({ field: '/threshold', why: /not a majority/ });
    expect(attestations.attestersFault(k.slice(0, 2), 1)).toMatchObject({ field: '/threshold' });
    expect(attestations.attestersFault(k, 0)).toMatchObject({ field: '/threshold' });
    expect(attestations.attestersFault(k, 4)).toMatchObject({ field: '/threshold' });
    expect(attestations.attestersFault([k[0], k[0], k[1]], 2)).toMatchObject({ field: '/publicKeys/1', why: /twice/ });
    expect(attestations.attestersFault([k[0], `04${'11'.repeat(64)}`, k[1]], 2)).toMatchObject({ field: '/publicKeys/1' });
    expect(attestations.attestersFault([], 1)).toMatchObject({ field: '/publicKeys' });
  });
});

describe('a packet call executed on the app’s state', () => {
  function memoryCtx() {
    const state = new Map<string, Buffer>();
    return {
      state,
      stub: {
        getTxID: () => 'tx-1',
        getState: async (k: string) => state.get(k) ?? Buffer.alloc(0),
        putState: async (k: string, v: Buffer) => void state.set(k, v),
        deleteState: async (k: string) => void state.delete(k),
      },
    };
  }
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

  test('put, get, delete answer as the preset contract; bad keys and missing keys are error acks', async () => {
    const ctx = memoryCtx();
    const put = encodePacketCall({ method: 'kv.put', key: 'ké', value: new Uint8Array([1, 2]) });
    expect(await packetCall.execute(ctx, 'app', 'kv.put', b64(put))).toEqual({ status: 'OK', result: '' });
    expect(JSON.parse(ctx.state.get('k/app/ké')!.toString())).toEqual({ tx: 'tx-1', v: 'AQI=' });
    expect(await packetCall.execute(ctx, 'app', 'kv.get', b64(Buffer.from('ké')))).toEqual({ status: 'OK', result: 'AQI=' });
    expect(await packetCall.execute(ctx, 'app', 'kv.delete', b64(Buffer.from('ké')))).toEqual({ status: 'OK', result: '' });
    expect(await packetCall.execute(ctx, 'app', 'kv.get', b64(Buffer.from('ké')))).toEqual({ status: 'NOT_FOUND', result: '' });
    expect(await packetCall.execute(ctx, 'app', 'kv.delete', b64(Buffer.from('ké')))).toEqual({ status: 'NOT_FOUND', result: '' });
    for (const payload of [
      Buffer.from([0]), // shorter than its key length
      Buffer.from([0, 5, 0x61]),
      encodePacketCall({ method: 'kv.put', key: '', value: new Uint8Array([1]) }), // empty key
      encodePacketCall({ method: 'kv.put', key: 'a\u0000b', value: new Uint8Array([1]) }),
      encodePacketCall({ method: 'kv.put', key: 'k', value: new Uint8Array() }), // empty value
      Buffer.from([0, 2, 0xc3, 0x28, 1]), // key not UTF-8
    ]) {
      expect(await packetCall.execute(ctx, 'app', 'kv.put', b64(payload))).toEqual({ status: 'INVALID_INPUT', result: '' });
    }
    expect(ctx.state.size).toBe(0);
  });
});
