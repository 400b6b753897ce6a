/**
 * FISCO BCOS's transaction status codes (bcos-protocol TransactionStatus.h): receipt statuses
 * below 10000 (0 = success, 16 = the contract reverted), txpool refusals from 10000, which a
 * node returns as the JSON-RPC error code of `sendTransaction`, with the name as message.
 */
export const TransactionStatus = {
  None: 0,
  Unknown: 1,
  OutOfGasLimit: 2,
  NotEnoughCash: 7,
  BadInstruction: 10,
  BadJumpDestination: 11,
  OutOfGas: 12,
  OutOfStack: 13,
  StackUnderflow: 14,
  PrecompiledError: 15,
  RevertInstruction: 16,
  ContractAddressAlreadyUsed: 17,
  PermissionDenied: 18,
  CallAddressError: 19,
  GasOverflow: 20,
  ContractFrozen: 21,
  AccountFrozen: 22,
  AccountAbolished: 23,
  ContractAbolished: 24,
  NonceCheckFail: 10000,
  BlockLimitCheckFail: 10001,
  TxPoolIsFull: 10002,
  Malformed: 10003,
  AlreadyInTxPool: 10004,
  TxAlreadyInChain: 10005,
  InvalidChainId: 10006,
  InvalidGroupId: 10007,
  InvalidSignature: 10008,
  RequestNotBelongToTheGroup: 10009,
  TransactionPoolTimeout: 10010,
  AlreadyInTxPoolAndAccept: 10011,
  OverFlowValue: 10012,
  MaxInitCodeSizeExceeded: 10013,
  SenderNoEOA: 10014,
  InsufficientFunds: 10015,
} as const;
export type TransactionStatusCode = (typeof TransactionStatus)[keyof typeof TransactionStatus];

const NAMES = new Map<number, string>(Object.entries(TransactionStatus).map(([name, code]) => [code, name]));
// The node prints Malformed as "MalformTx" (TransactionStatus.h operator<<).
NAMES.set(TransactionStatus.Malformed, 'MalformTx');

/** The name the node gives a status, as in its error messages; `Unknown(<code>)` for others. */
export function statusName(code: number): string {
  return NAMES.get(code) ?? `Unknown(${code})`;
}

/** Whether a code is a txpool refusal (nothing was executed) rather than an execution outcome. */
export const isTxpoolStatus = (code: number): boolean => code >= 10000;
