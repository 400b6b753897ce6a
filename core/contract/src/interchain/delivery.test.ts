import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { generatePrivateKey } from '../crypto/algorithms.js';
import type { Packet } from '../contract/interchain.js';
import { packetCommitment, packetId } from './packet.js';
import {
  ackCommitment,
  ackFor,
  attestInterchain,
  attestationSigner,
  attesterPublicKey,
  checkAck,
  countAttestations,
  deliveryAttestersFault,
  interchainDigest,
} from './delivery.js';
import { decodePacketCall, encodePacketCall } from './packet-call.js';

const packet: Packet = {
  v: 1,
  srcChain: 'fabric-bsn',
  srcApp: 'app-a',
  dstChain: 'anvil',
  dstApp: 'app-b',
  seq: 3,
  method: 'kv.put',
  payload: Buffer.from(encodePacketCall({ method: 'kv.put', key: 'k1', value: new Uint8Array([1, 2]) })).toString('base64'),
  timeout: 1_900_000_000_000,
  grantRef: 'g-1',
};
const keys = [0, 1, 2].map(() => generatePrivateKey('secp256k1'));
const pinned = { publicKeys: keys.map(attesterPublicKey), threshold: 2 };
const commitment = packetCommitment(packet);

describe('interchain attestations', () => {
  it('sign the documented digest: SHA-256(domain ‖ kind byte ‖ commitment), r‖s‖v with v 27/28', () => {
    const expected = createHash('sha256')
      .update('bsn:interchain-attestation:v1\n')
      .update(Buffer.from([1]))
      .update(Buffer.from(commitment, 'hex'))
      .digest();
    expect(toHex(interchainDigest('packet', commitment))).toBe(expected.toString('hex'));
    const a = attestInterchain('packet', commitment, keys[0]!);
    const sig = fromHex(a.signature);
    expect([27, 28]).toContain(sig[64]);
    // Signed by libsecp256k1; checked here by noble over the digest rebuilt above.
    const pub = fromHex(attesterPublicKey(keys[0]!));
    expect(secp256k1.verify(sig.slice(0, 64), expected, pub, { prehash: false, format: 'compact' })).toBe(true);
    expect(attestationSigner(a)).toBe(toHex(pub));
  });

  it('count each pinned signer once, only for the kind and commitment asked', () => {
    const a0 = attestInterchain('packet', commitment, keys[0]!);
    const a1 = attestInterchain('packet', commitment, keys[1]!);
    expect(countAttestations('packet', commitment, [a0, a1], pinned)).toMatchObject({ ok: true });
    expect(countAttestations('packet', commitment, [a0, a0, a0], pinned)).toMatchObject({
      ok: false,
      reason: '1 of the 2 pinned attesters needed signed this packet',
    });
    // The same signatures vouch for nothing else: another kind, another commitment.
    expect(countAttestations('timeout', commitment, [a0, a1], pinned).ok).toBe(false);
    const other = packetCommitment({ ...packet, payload: '' });
    expect(
      countAttestations(
        'packet',
        other,
        [
          { ...a0, commitment: other },
          { ...a1, commitment: other },
        ],
        pinned,
      ).ok,
    ).toBe(false);
    // An unpinned signer does not count.
    const stranger = attestInterchain('packet', commitment, generatePrivateKey('secp256k1'));
    expect(countAttestations('packet', commitment, [a0, stranger], pinned).ok).toBe(false);
    expect(countAttestations('packet', commitment, [], pinned)).toEqual({ ok: false, reason: 'no attestations' });
  });

  it('refuse a high-S twin of a valid signature and a bad v', () => {
    const a = attestInterchain('ack', commitment, keys[0]!);
    const sig = fromHex(a.signature);
    const n = secp256k1.Point.CURVE().n;
    const s = BigInt('0x' + toHex(sig.slice(32, 64)));
    const highS = fromHex((n - s).toString(16).padStart(64, '0'));
    const twin = new Uint8Array(sig);
    twin.set(highS, 32);
    twin[64] = sig[64] === 27 ? 28 : 27;
    expect(attestationSigner({ ...a, signature: toHex(twin) })).toBeNull();
    const badV = new Uint8Array(sig);
    badV[64] = 1;
    expect(attestationSigner({ ...a, signature: toHex(badV) })).toBeNull();
  });

  it('pinned sets that cannot be sound are refused: none, twice, t = 0, t > M, no majority', () => {
    const [k0, k1, k2] = pinned.publicKeys as [string, string, string];
    expect(deliveryAttestersFault({ publicKeys: [], threshold: 1 })).toBe('no attesters pinned');
    expect(deliveryAttestersFault({ publicKeys: [k0, k0], threshold: 2 })).toBe('attester 1 is pinned twice');
    expect(deliveryAttestersFault({ publicKeys: [k0], threshold: 0 })).toMatch(/outside 1\.\.1/);
    expect(deliveryAttestersFault({ publicKeys: [k0, k1], threshold: 3 })).toMatch(/outside/);
    expect(deliveryAttestersFault({ publicKeys: [k0, k1, k2, 'ab'.repeat(4)], threshold: 3 })).toMatch(/attester 3/);
    expect(deliveryAttestersFault({ publicKeys: [k0, k1, k2], threshold: 1 })).toMatch(/not a majority/);
    expect(deliveryAttestersFault(pinned)).toBeUndefined();
    const a = [attestInterchain('packet', commitment, keys[0]!)];
    expect(countAttestations('packet', commitment, a, { publicKeys: [k0, k1, k2], threshold: 1 })).toMatchObject({ ok: false });
  });
});

describe('acks', () => {
  it('commit to the documented RFC 8785 bytes and bind the packet', () => {
    const ack = ackFor(packet, 'OK');
    expect(ack).toEqual({ packetId: packetId(packet), commitment, status: 'OK', result: '' });
    const json = `{"commitment":"${commitment}","packetId":"${packetId(packet)}","result":"","status":"OK"}`;
    expect(ackCommitment(ack)).toBe(
      createHash('sha256')
        .update('bsn:ack-commitment:v1\n' + json)
        .digest('hex'),
    );
    expect(ackCommitment({ ...ack, status: 'NOT_FOUND' })).not.toBe(ackCommitment(ack));
  });

  it('are refused when malformed, naming the field', () => {
    const ack = ackFor(packet, 'OK');
    expect(() => checkAck({ ...ack, status: 'FINE' })).toThrow('/ack/status');
    expect(() => checkAck({ ...ack, commitment: '0'.repeat(64) })).toThrow('/ack/commitment');
    expect(() => checkAck({ ...ack, result: '"' })).toThrow('/ack/result');
    expect(() => checkAck({ ...ack, extra: 1 })).toThrow('/ack/extra');
  });
});

describe('packet calls', () => {
  it('round-trip and refuse what a target must refuse', () => {
    const put = encodePacketCall({ method: 'kv.put', key: 'ключ', value: new Uint8Array([9]) });
    expect(decodePacketCall('kv.put', put)).toEqual({ method: 'kv.put', key: 'ключ', value: new Uint8Array([9]) });
    expect(put.slice(0, 2)).toEqual(new Uint8Array([0, 8]));
    expect(decodePacketCall('kv.get', new TextEncoder().encode('k'))).toEqual({ method: 'kv.get', key: 'k' });
    expect(() => decodePacketCall('kv.put', new Uint8Array([0, 5, 65]))).toThrow('/payload');
    expect(() => decodePacketCall('kv.get', new Uint8Array([0xff]))).toThrow('/payload');
    expect(() => decodePacketCall('setOwner', new Uint8Array())).toThrow('/method');
  });
});
