import { describe, expect, it } from 'vitest';
import { NotFoundError, RejectedByChainError, isBsnError } from '../errors/errors.js';
import { errorMapping, errorOfCode, messagePrefix, unexpectedError, whatOf } from './errors.js';

class NodeRefusal extends Error {
  constructor(readonly status: number) {
    super(`node said ${status}`);
  }
}

/** A framework's mapping as an adapter writes it: its own errors only. */
const toBsnError = errorMapping('acme', (error, ctx, prefix) =>
  error instanceof NodeRefusal && error.status === 404 ? new NotFoundError(`${prefix}nothing there`, { stage: ctx.stage }) : undefined,
);

describe('the frame of error mapping', () => {
  it('names what was being done', () => {
    expect(whatOf({ method: 'put', appId: 'app-1' })).toBe('put on app-1');
    expect(messagePrefix({ what: whatOf({ method: 'get', appId: 'a' }) })).toBe('get on a: ');
    expect(messagePrefix({})).toBe('');
  });

  it('passes a typed error through as it is', () => {
    const typed = new RejectedByChainError('no');
    expect(toBsnError(typed, { stage: 'submit', what: 'put on a' })).toBe(typed);
  });

  it("hands the framework's errors to its mapping, with the prefix", () => {
    const mapped = toBsnError(new NodeRefusal(404), { stage: 'query', what: 'get on a' });
    expect(mapped).toMatchObject({ code: 'NOT_FOUND', message: 'get on a: nothing there', stage: 'query' });
  });

  it('makes what the mapping does not recognise UNAVAILABLE, keeping the original', () => {
    const original = new NodeRefusal(500);
    const mapped = toBsnError(original, { stage: 'commit', what: 'put on a', txId: '0xabc' });
    expect(isBsnError(mapped, 'UNAVAILABLE')).toBe(true);
    expect(mapped).toMatchObject({
      message: 'put on a: unexpected failure: node said 500',
      stage: 'commit',
      txId: '0xabc',
      retryable: true,
    });
    expect(mapped.detail).toEqual({ framework: 'acme', message: 'node said 500' });
    expect(mapped.cause).toBe(original);
    expect(toBsnError('a string', { stage: 'query' }).message).toBe('unexpected failure: a string');
    expect(unexpectedError(original, { stage: 'query' }, 'acme')).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it("makes a chain's code the typed error, and an unknown code REJECTED_BY_CHAIN", () => {
    expect(errorOfCode('NOT_FOUND', 'gone', { field: '/key' })).toMatchObject({ code: 'NOT_FOUND', field: '/key' });
    expect(errorOfCode('NOT_A_CODE', 'odd')).toMatchObject({ code: 'REJECTED_BY_CHAIN', message: 'odd' });
    expect(errorOfCode('toString', 'odd')).toMatchObject({ code: 'REJECTED_BY_CHAIN' });
  });
});
