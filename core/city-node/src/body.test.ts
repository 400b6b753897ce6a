import { describe, expect, test } from 'vitest';
import { generatePrivateKey, publicKeyOf, toHex } from '@bsn/contract';
import { argBytes, parseCheckpoint, publicKeyField, requestIdField } from './body.js';
import { describeError } from './errors.js';
import { sha256Hex } from '@bsn/protocol';

const answer = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return describeError(err).body.error;
  }
  throw new Error('expected a refusal');
};

describe('request field readers', () => {
  test('publicKeyField: a point on the named curve, as lower-case hex without 0x', () => {
    const publicKey = toHex(publicKeyOf('sm2', generatePrivateKey('sm2')));
    expect(publicKeyField({ algorithm: 'sm2', publicKey: `0x${publicKey.toUpperCase()}` })).toEqual({ algorithm: 'sm2', publicKey });
    expect(answer(() => publicKeyField({ algorithm: 'ed25519', publicKey }))).toMatchObject({
      code: 'INVALID_INPUT',
      reason: 'invalid-field',
      field: '/algorithm',
    });
    expect(answer(() => publicKeyField({ algorithm: 'sm2', publicKey: `04${'00'.repeat(64)}` }))).toMatchObject({
      reason: 'invalid-field',
      field: '/publicKey',
      message: '/publicKey is not a point on sm2',
    });
  });

  test("requestIdField: the caller's id under the contract rule, or one from the nonce", () => {
    expect(requestIdField('order:42', 'n0nce-0123456789ab')).toBe('order:42');
    expect(requestIdField(undefined, 'n0nce-0123456789ab')).toBe(`n-${sha256Hex('n0nce-0123456789ab').slice(0, 40)}`);
    // Any valid nonce (up to 128 characters) gives a valid id; an id given empty is refused, not replaced.
    expect(requestIdField(undefined, 'x'.repeat(128))).toMatch(/^n-[0-9a-f]{40}$/);
    expect(answer(() => requestIdField('', 'n0nce-0123456789ab'))).toMatchObject({ reason: 'invalid-field', field: '/requestId' });
    expect(answer(() => requestIdField('a b', 'n0nce-0123456789ab'))).toEqual({
      code: 'INVALID_INPUT',
      reason: 'invalid-field',
      message: 'the request id must be 1-128 of A-Z a-z 0-9 . _ : -',
      field: '/requestId',
      retryable: false,
    });
    expect(answer(() => requestIdField('x'.repeat(129), 'n0nce-0123456789ab'))).toMatchObject({ field: '/requestId' });
  });

  test('argBytes: strings stay strings, { base64 } becomes bytes; anything else names its index', () => {
    expect(argBytes(['a', { base64: 'AQI=' }])).toEqual(['a', new Uint8Array([1, 2])]);
    expect(answer(() => argBytes(['a', 7]))).toMatchObject({ field: '/args/1' });
    expect(answer(() => argBytes('a'))).toMatchObject({ field: '/args' });
  });

  test('parseCheckpoint: "<block>:<index>", empty for the start', () => {
    expect(parseCheckpoint('12:3', 'after')).toEqual({ block: 12, index: 3 });
    expect(parseCheckpoint('', 'after')).toBeUndefined();
    expect(answer(() => parseCheckpoint('12', 'Last-Event-ID'))).toMatchObject({ reason: 'invalid-field', field: 'Last-Event-ID' });
  });
});
