import { describe, expect, it } from 'vitest';
import { AntelopeApiError, AntelopeUnreachableError } from './antelope/index.js';
import { contractRefusal, toBsnError } from './errors.js';

const nodeError = (code: number, name: string, message: string, status = 500) =>
  new AntelopeApiError('/v1/chain/send_transaction', status, {
    code: status,
    message: 'Internal Service Error',
    error: { code, name, what: name, details: [{ message }] },
  });

describe('the node refusals as typed errors', () => {
  it("a preset contract refusal keeps the chain's code, name and message", () => {
    const error = toBsnError(
      nodeError(
        3050003,
        'eosio_assert_message_exception',
        'assertion failure with message: bsn:unauthorized: bob is not a member of app a',
      ),
      { stage: 'submit', what: 'put on a', txId: 'ff'.repeat(32) },
    );
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toBe('put on a: bob is not a member of app a');
    expect(error.stage).toBe('submit');
    expect(error.detail).toMatchObject({
      framework: 'eos',
      code: 3050003,
      message: 'assertion failure with message: bsn:unauthorized: bob is not a member of app a',
      data: { name: 'eosio_assert_message_exception', status: 500 },
    });
  });

  it('maps each contract tag and the chain’s own codes', () => {
    const cases: Array<[AntelopeApiError | Error, string]> = [
      [
        nodeError(3050003, 'eosio_assert_message_exception', 'assertion failure with message: bsn:not_found: key does not exist'),
        'NOT_FOUND',
      ],
      [nodeError(3050003, 'eosio_assert_message_exception', 'assertion failure with message: bsn:conflict: app a exists'), 'CONFLICT'],
      [
        nodeError(3050003, 'eosio_assert_message_exception', 'assertion failure with message: bsn:invalid: a key is 1-1024 bytes'),
        'INVALID_INPUT',
      ],
      [nodeError(3050003, 'eosio_assert_message_exception', 'assertion failure with message: overdrawn balance'), 'REJECTED_BY_CHAIN'],
      [nodeError(3090004, 'missing_auth_exception', 'missing authority of bob'), 'UNAUTHORIZED'],
      [
        nodeError(3090003, 'unsatisfied_authorization', 'transaction declares authority … but does not have signatures for it'),
        'UNAUTHORIZED',
      ],
      [nodeError(3100002, 'unknown_block_exception', 'Could not find block: 101', 400), 'NOT_FOUND'],
      [nodeError(3040005, 'expired_tx_exception', 'expired transaction'), 'REJECTED_BY_CHAIN'],
      [new AntelopeUnreachableError('/v1/chain/get_info', 'connect ECONNREFUSED'), 'UNAVAILABLE'],
      [new Error('something else'), 'UNAVAILABLE'],
    ];
    for (const [raw, code] of cases) expect(toBsnError(raw, { stage: 'submit' }).code, raw.message).toBe(code);
  });

  it('tells a repeated request from other refusals', () => {
    expect(
      contractRefusal(
        nodeError(3050003, 'eosio_assert_message_exception', 'assertion failure with message: bsn:duplicate: request r was executed'),
      ),
    ).toEqual({
      tag: 'duplicate',
      text: 'request r was executed',
    });
    expect(contractRefusal(nodeError(3090004, 'missing_auth_exception', 'bsn:duplicate: spoofed'))).toBeUndefined();
  });
});
