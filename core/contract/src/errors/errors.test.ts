import { describe, expect, it } from 'vitest';
import { BsnError, ConflictError, InvalidInputError, RejectedByChainError, TimeoutError, errorFromJSON, isBsnError } from './errors.js';

describe('error hierarchy', () => {
  it('keeps the framework detail, stage and field through JSON', () => {
    const err = new RejectedByChainError('reverted: not a member', {
      stage: 'commit',
      txId: '0xabc',
      detail: { framework: 'ethereum', code: 3, message: 'execution reverted: not a member' },
    });
    const back = errorFromJSON(JSON.parse(JSON.stringify(err)));
    expect(back).toBeInstanceOf(RejectedByChainError);
    expect(back.code).toBe('REJECTED_BY_CHAIN');
    expect(back.detail?.message).toBe('execution reverted: not a member');
    expect(back.stage).toBe('commit');
    expect(back.txId).toBe('0xabc');
  });

  it('recognises errors by code, across copies of the classes', () => {
    const foreign = Object.assign(new Error('x'), { code: 'CONFLICT' });
    expect(isBsnError(foreign, 'CONFLICT')).toBe(true);
    expect(isBsnError(foreign, 'NOT_FOUND')).toBe(false);
    expect(isBsnError(new ConflictError('dup'), 'CONFLICT')).toBe(true);
    expect(isBsnError({ code: 'CONFLICT' })).toBe(false);
    expect(isBsnError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
  });

  it('marks only timeouts and unavailability as retryable', () => {
    expect(new TimeoutError('t').retryable).toBe(true);
    expect(new InvalidInputError('bad', { field: '/key' }).retryable).toBe(false);
    expect(new InvalidInputError('bad', { field: '/key' }).field).toBe('/key');
    expect(new BsnError('UNAVAILABLE', 'down').retryable).toBe(true);
  });
});
