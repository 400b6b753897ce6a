import { describe, expect, test } from 'vitest';
import { appInterface } from './abi.js';
import { decodeRevert, toBsnError } from './errors.js';
import { outboxInterface } from './interchain/outbox.js';
import { JsonRpcError } from './rpc.js';

describe('error mapping', () => {
  const revert = (name: string, args: unknown[]) =>
    new JsonRpcError('eth_estimateGas', 3, 'execution reverted', appInterface.encodeErrorResult(name, args));

  test.each([
    ['NotMember', ['0x' + '12'.repeat(20)], 'UNAUTHORIZED'],
    ['NotAdmin', ['0x' + '12'.repeat(20)], 'UNAUTHORIZED'],
    ['AppFrozen', [], 'UNAUTHORIZED'],
    ['KeyNotFound', ['k'], 'NOT_FOUND'],
    ['InvalidInput', ['/key', 'empty key'], 'INVALID_INPUT'],
    ['AdminIsPermanentMember', ['0x' + '12'.repeat(20)], 'CONFLICT'],
    ['BadImplementation', ['0x' + '12'.repeat(20)], 'REJECTED_BY_CHAIN'],
  ])('%s reverts map to %s keeping the decoded reason and the JSON-RPC code', (name, args, code) => {
    const error = toBsnError(revert(name, args), { stage: 'prepare', txId: '0xabc' });
    expect(error.code).toBe(code);
    expect(error.detail).toMatchObject({ framework: 'ethereum', code: 3, data: { revert: { name }, txId: '0xabc' } });
    expect(error.detail?.message).toContain(name);
    if (name === 'InvalidInput') expect(error.field).toBe('/key');
  });

  test('Error(string) and Panic are decoded; node errors keep their words', () => {
    const reason = '0x08c379a0' + '0'.repeat(62) + '20' + '0'.repeat(62) + '05' + Buffer.from('nope!').toString('hex').padEnd(64, '0');
    expect(decodeRevert(reason)?.text).toBe('nope!');
    const funds = toBsnError(new JsonRpcError('eth_sendRawTransaction', -32000, 'insufficient funds for gas * price + value'), {
      stage: 'submit',
    });
    expect(funds).toMatchObject({
      code: 'REJECTED_BY_CHAIN',
      detail: { code: -32000, message: 'insufficient funds for gas * price + value' },
    });
    expect(toBsnError(new JsonRpcError('eth_call', -32005, 'limit exceeded'), { stage: 'query' }).code).toBe('UNAVAILABLE');
  });

  test("the packet outbox's own reverts are decoded by name", () => {
    const outboxRevert = (name: string, args: unknown[]) =>
      toBsnError(new JsonRpcError('eth_estimateGas', 3, 'execution reverted', outboxInterface.encodeErrorResult(name, args)), {
        stage: 'submit',
        what: 'sending a packet',
      });
    const unknown = outboxRevert('UnknownApp', ['gone']);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', detail: { data: { revert: { name: 'UnknownApp', args: { appId: 'gone' } } } } });
    expect(unknown.message).toMatch(/^sending a packet: /);
    expect(outboxRevert('SeqMismatch', [2, 1]).detail?.data).toMatchObject({
      revert: { name: 'SeqMismatch', args: { expected: '2', given: '1' } },
    });
  });

  test('anything else is UNAVAILABLE, keeps the original as cause and says what was being done', () => {
    const cause = new Error('socket hang up');
    const error = toBsnError(cause, { stage: 'query', what: 'reading app a' });
    expect(error).toMatchObject({ code: 'UNAVAILABLE', stage: 'query', detail: { framework: 'ethereum', message: 'socket hang up' } });
    expect(error.message).toBe('reading app a: unexpected failure: socket hang up');
    expect(error.cause).toBe(cause);
  });
});
