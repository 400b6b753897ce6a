import { describe, expect, it } from 'vitest';
import { checkPacket, packetCommitment, packetId } from './packet.js';
import { isBsnError } from '../errors/errors.js';
import type { Packet } from '../contract/interchain.js';

const packet: Packet = {
  v: 1,
  srcChain: 'eth-dev',
  srcApp: 'app-a',
  dstChain: 'fabric-dev',
  dstApp: 'app-b',
  seq: 1,
  method: 'ping',
  payload: Buffer.from('hi').toString('base64'),
  timeout: 1_900_000_000_000,
  grantRef: 'grant-1',
};

describe('packets', () => {
  it('derives the id from the five naming fields only', () => {
    const id = packetId(packet);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const otherPayload = { ...packet, payload: 'b3RoZXI=' };
    expect(packetId(otherPayload)).toBe(id);
    expect(packetId({ ...packet, seq: 2 })).not.toBe(id);
    expect(packetId({ ...packet, srcApp: 'app-a2' })).not.toBe(id);
    // Field boundaries cannot be shifted: 'ab'+'c' differs from 'a'+'bc'.
    expect(packetId({ ...packet, srcApp: 'ab', dstApp: 'c' })).not.toBe(packetId({ ...packet, srcApp: 'a', dstApp: 'bc' }));
  });

  it('commits to every field, and does not equal the id', () => {
    const c = packetCommitment(packet);
    expect(c).not.toBe(packetId(packet));
    for (const change of [{ payload: 'eA==' }, { timeout: packet.timeout + 1 }, { method: 'pong' }, { grantRef: 'g2' }]) {
      expect(packetCommitment({ ...packet, ...change })).not.toBe(c);
    }
  });

  it('refuses malformed packets naming the field', () => {
    const fieldOf = (p: unknown) => {
      try {
        checkPacket(p);
        return undefined;
      } catch (e) {
        return isBsnError(e, 'INVALID_INPUT') ? e.field : 'untyped';
      }
    };
    expect(fieldOf(packet)).toBeUndefined();
    expect(fieldOf({ ...packet, seq: 0 })).toBe('/packet/seq');
    expect(fieldOf({ ...packet, v: 2 })).toBe('/packet/v');
    expect(fieldOf({ ...packet, payload: 'not base64!' })).toBe('/packet/payload');
    expect(fieldOf({ ...packet, srcChain: '' })).toBe('/packet/srcChain');
    expect(fieldOf({ ...packet, extra: 1 })).toBe('/packet/extra');
    expect(fieldOf({ ...packet, timeout: 0 })).toBe('/packet/timeout');
  });
});
