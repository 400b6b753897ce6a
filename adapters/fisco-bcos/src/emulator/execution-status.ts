import { AbiCoder } from 'ethers';
import { concat, utf8Bytes } from '../protocol/big-endian.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import { TransactionStatus } from '../protocol/transaction-status.js';

/**
 * What a FISCO node puts in a failed receipt (transaction-executor EVMCResult.cpp
 * `evmcStatusToErrorMessage`): the status for the EVM's halt reason and, except for a revert
 * (whose own data is kept), `Error(string)` ABI-encoded with the chain's selector hash.
 */
const BY_EVM_ERROR: Record<string, { status: number; message?: string }> = {
  revert: { status: TransactionStatus.RevertInstruction },
  'out of gas': { status: TransactionStatus.OutOfGas, message: 'Execution out of gas.' },
  'code store out of gas': { status: TransactionStatus.OutOfGas, message: 'Execution out of gas.' },
  'stack overflow': { status: TransactionStatus.OutOfStack, message: 'Execution stack overflow.' },
  'stack underflow': { status: TransactionStatus.StackUnderflow, message: 'Execution needs more items on EVM stack.' },
  'invalid opcode': { status: TransactionStatus.BadInstruction, message: 'Execution invalid/undefined opcode.' },
  'invalid JUMP': {
    status: TransactionStatus.BadJumpDestination,
    message: 'Execution has violated the jump destination restrictions.',
  },
  'static state change': {
    status: TransactionStatus.Unknown,
    message: 'Execution tried to execute an operation which is restricted in static mode.',
  },
  'create collision': { status: TransactionStatus.ContractAddressAlreadyUsed },
};

export function failureOf(suite: CryptoSuite, evmError: string, revertData: Uint8Array): { status: number; output: Uint8Array } {
  const known = BY_EVM_ERROR[evmError] ?? { status: TransactionStatus.Unknown };
  if (known.status === TransactionStatus.RevertInstruction) return { status: known.status, output: revertData };
  return { status: known.status, output: known.message ? errorString(suite, known.message) : new Uint8Array(0) };
}

/** `Error(string)` with the selector under the chain's hash (SM3 on SM chains: c703cb12). */
export function errorString(suite: CryptoSuite, message: string): Uint8Array {
  const selector = suite.hash(utf8Bytes('Error(string)')).subarray(0, 4);
  const body = Buffer.from(AbiCoder.defaultAbiCoder().encode(['string'], [message]).slice(2), 'hex');
  return concat([selector, body]);
}
