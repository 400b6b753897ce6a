import { describe, expect, test } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { NodeResponseError } from './errors.js';

describe('NodeResponseError', () => {
  test('an error body becomes a typed error with its code, reason, field and status', () => {
    const e = NodeResponseError.fromBody(
      { error: { code: 'CONFLICT', reason: 'request-id-reused', message: 'used', field: '/requestId' } },
      { status: 409 },
      true,
      'HTTP 409',
    );
    expect(isBsnError(e, 'CONFLICT')).toBe(true);
    expect([e.name, e.message, e.reason, e.field, e.status, e.grpcCode, e.verified, e.retryable]).toEqual([
      'NodeResponseError',
      'used',
      'request-id-reused',
      '/requestId',
      409,
      undefined,
      true,
      false,
    ]);
  });

  test('INTERNAL or no code at all is UNAVAILABLE, still told apart by the status', () => {
    const internal = NodeResponseError.fromBody(
      { error: { code: 'INTERNAL', message: 'internal error (see the node log)' } },
      { grpcCode: 13 },
      true,
      '',
    );
    expect([internal.code, internal.retryable, internal.grpcCode]).toEqual(['UNAVAILABLE', true, 13]);
    const bodyless = NodeResponseError.fromBody('not json', { status: 502 }, false, 'HTTP 502');
    expect([bodyless.code, bodyless.message, bodyless.reason]).toEqual(['UNAVAILABLE', 'HTTP 502', undefined]);
  });

  test('an unsigned answer is refused as UNAUTHORIZED bad-node-signature', () => {
    const e = NodeResponseError.unsigned('event 3:0', { status: 200 });
    expect([e.code, e.reason, e.verified, e.message]).toEqual([
      'UNAUTHORIZED',
      'bad-node-signature',
      false,
      'event 3:0 is not signed by the pinned node key',
    ]);
    expect(e.toJSON()).toMatchObject({ code: 'UNAUTHORIZED', reason: 'bad-node-signature', status: 200, verified: false });
  });
});
