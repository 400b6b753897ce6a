/**
 * An error the emulated node answers with, in FISCO's own codes and words: JSON-RPC codes
 * (-32xxx, bcos-rpc jsonrpc/Common.h), ledger codes (3xxx, LedgerTypeDef.h), txpool
 * statuses (10000+, TransactionStatus.h), and -1 for what a real node reports as a C++
 * exception's diagnostic (chain id mismatch, hash mismatch, undecodable transaction).
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  NodeNotExistOrNotStarted: -32000,
  GroupNotExist: -32005,
  /** What a node's sendTransaction answers for a std::exception (BCOS_ERROR_PTR(-1, diagnostic)). */
  Exception: -1,
  LedgerErrorArgument: 3003,
  LedgerGetStorageError: 3008,
} as const;

/** How a node words a C++ exception it caught in sendTransaction (boost::diagnostic_information). */
export function exceptionError(type: string, what: string): RpcError {
  return new RpcError(RpcCode.Exception, `Dynamic exception type: ${type}\nstd::exception::what: ${what}\n`);
}
