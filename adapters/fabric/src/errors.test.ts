import { status } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { SubmitError } from '@hyperledger/fabric-gateway/dist/submiterror.js';
import { describe, expect, test } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { parseRefusal, toBsnError } from './errors.js';

const cause = new Error('grpc') as never;
const peer = (message: string) => ({ address: '127.0.0.1:7051', mspId: 'Org1MSP', message });

describe('Fabric errors', () => {
  test('a chaincode refusal keeps its BSN code, its message, its data and the field it names', () => {
    const r = parseRefusal('chaincode response 500, [BSN:INVALID_INPUT] /key must not be empty {"field":"/key"}');
    expect(r).toMatchObject({ code: 'INVALID_INPUT', message: '/key must not be empty', data: { field: '/key' } });
    // a quoted key holding " {" does not confuse the JSON tail
    expect(parseRefusal('[BSN:NOT_FOUND] key "a {b" does not exist')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'key "a {b" does not exist',
    });
    expect(parseRefusal('chaincode response 500, something else')).toBeUndefined();
  });

  test("an endorsement the chaincode refuses is the typed error, stage endorse, with every peer's words", () => {
    const error = toBsnError(
      new EndorseError({
        code: status.ABORTED,
        cause,
        transactionId: 'ab'.repeat(32),
        message: 'failed to endorse transaction',
        details: [peer('chaincode response 500, [BSN:UNAUTHORIZED] Org1MSP:00 is not a member of app "x" {"account":"Org1MSP:00"}')],
      }),
      { stage: 'submit', what: 'put on x' },
    );
    expect(isBsnError(error, 'UNAUTHORIZED')).toBe(true);
    expect(error.stage).toBe('endorse');
    expect(error.txId).toBe('ab'.repeat(32));
    expect(error.detail).toMatchObject({ framework: 'fabric', code: 'BSN:UNAUTHORIZED', message: 'Org1MSP:00 is not a member of app "x"' });
    expect(error.detail?.data).toMatchObject({
      grpcStatus: 'ABORTED',
      peers: [{ mspId: 'Org1MSP' }],
      chaincode: { account: 'Org1MSP:00' },
    });
  });

  test('gRPC statuses: deadline → TIMEOUT, unreachable → UNAVAILABLE, access denied → UNAUTHORIZED, other → REJECTED_BY_CHAIN', () => {
    const endorse = (code: number, message: string) =>
      toBsnError(new EndorseError({ code, cause, transactionId: 't', details: [peer(message)] }), { stage: 'endorse' });
    expect(endorse(status.DEADLINE_EXCEEDED, 'timeout').code).toBe('TIMEOUT');
    expect(endorse(status.UNAVAILABLE, 'failed to connect').code).toBe('UNAVAILABLE');
    expect(endorse(status.ABORTED, 'error validating proposal: access denied: channel [c] creator org unknown').code).toBe('UNAUTHORIZED');
    expect(endorse(status.ABORTED, 'chaincode response 500, TypeError: boom').code).toBe('REJECTED_BY_CHAIN');
    const query = toBsnError(new GatewayError({ code: status.UNKNOWN, cause, details: [], message: 'evaluate failed' }), {
      stage: 'query',
    });
    expect(query.stage).toBe('query');
  });

  test("the stage is the failing call's whatever the caller was doing: a SubmitError is the submit stage", () => {
    const submit = toBsnError(
      new SubmitError({ code: status.PERMISSION_DENIED, cause, transactionId: 'cd'.repeat(32), details: [], message: 'FORBIDDEN' }),
      { stage: 'endorse', what: 'approving' },
    );
    expect(submit).toMatchObject({ code: 'UNAUTHORIZED', stage: 'submit', txId: 'cd'.repeat(32) });
    expect(submit.message).toMatch(/^approving: /);
  });

  test('a chaincode refusal with a code this standard does not know is REJECTED_BY_CHAIN, keeping the code in detail', () => {
    const error = toBsnError(
      new EndorseError({
        code: status.ABORTED,
        cause,
        transactionId: 't',
        details: [peer('chaincode response 500, [BSN:NEWER_CODE] something newer')],
      }),
      { stage: 'endorse' },
    );
    expect(error).toMatchObject({ code: 'REJECTED_BY_CHAIN', stage: 'endorse' });
    expect(error.detail?.code).toBe('BSN:NEWER_CODE');
  });

  test('commit stage: a status that cannot be had is UNAVAILABLE or TIMEOUT; an invalidated transaction keeps its validation code', () => {
    const lost = toBsnError(new CommitStatusError({ code: status.DEADLINE_EXCEEDED, cause, transactionId: 't', details: [] }), {
      stage: 'commit',
    });
    expect(lost.code).toBe('TIMEOUT');
    expect(lost.stage).toBe('commit');
    const invalid = toBsnError(new CommitError({ code: 10, transactionId: 't', message: 'invalidated' }), { stage: 'commit' });
    expect(invalid.code).toBe('REJECTED_BY_CHAIN');
    expect(invalid.detail?.code).toBe('ENDORSEMENT_POLICY_FAILURE');
    expect(toBsnError(new CommitError({ code: 4, transactionId: 't' }), { stage: 'commit' }).code).toBe('UNAUTHORIZED');
  });

  test('anything unknown is UNAVAILABLE, never an untyped error', () => {
    const error = toBsnError(new TypeError('socket hang up'), { stage: 'query', what: 'get on x', txId: 'ef'.repeat(32) });
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      stage: 'query',
      txId: 'ef'.repeat(32),
      detail: { framework: 'fabric', message: 'socket hang up' },
    });
    expect(error.message).toBe('get on x: unexpected failure: socket hang up');
  });
});

describe('a creator the channel ACL refuses', () => {
  test("the orderer org's admin proposing to a peer (peer/Propose: the Application Writers) is UNAUTHORIZED, not REJECTED_BY_CHAIN", () => {
    const words =
      "Failed evaluating policy on signed data during check policy on channel [bsnchannel] with policy [/Channel/Application/Writers]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied]";
    for (const details of [[], [peer(words)]]) {
      const error = toBsnError(
        new EndorseError({
          code: status.ABORTED,
          cause,
          transactionId: 't',
          message: details.length ? 'failed to endorse' : words,
          details,
        }),
        { stage: 'endorse' },
      );
      expect(error).toMatchObject({
        code: 'UNAUTHORIZED',
        stage: 'endorse',
        message: expect.stringContaining('/Channel/Application/Writers'),
      });
    }
  });
});

describe('unreachable peers behind the gateway', () => {
  test("an ABORTED endorsement whose detail says another org's peer cannot be dialled is UNAVAILABLE (retryable)", () => {
    const error = toBsnError(
      new EndorseError({
        code: status.ABORTED,
        cause,
        transactionId: 't',
        message: 'failed to collect enough transaction endorsements',
        details: [
          {
            address: '127.0.0.1:9',
            mspId: 'Org2MSP',
            message:
              'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:9: connect: connection refused"',
          },
        ],
      }),
      { stage: 'endorse' },
    );
    expect(error).toMatchObject({ code: 'UNAVAILABLE', stage: 'endorse', retryable: true });
    const noPeers = toBsnError(
      new EndorseError({
        code: status.FAILED_PRECONDITION,
        cause,
        transactionId: 't',
        details: [],
        message:
          '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy',
      }),
      { stage: 'endorse' },
    );
    expect(noPeers).toMatchObject({ code: 'UNAVAILABLE', stage: 'endorse' });
    const slow = toBsnError(
      new EndorseError({
        code: status.ABORTED,
        cause,
        transactionId: 't',
        details: [peer('rpc error: code = DeadlineExceeded desc = context deadline exceeded')],
      }),
      { stage: 'endorse' },
    );
    expect(slow.code).toBe('TIMEOUT');
  });
});
