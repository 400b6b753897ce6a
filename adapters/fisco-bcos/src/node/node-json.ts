/** The JSON shapes a FISCO BCOS 3.x node answers with (bcos-rpc JsonRpcImpl_2_0.cpp toJsonResp). */

export interface LogEntryJson {
  address: string;
  topics: string[];
  data: string;
}

export interface ReceiptJson {
  version: number;
  contractAddress: string;
  checksumContractAddress?: string;
  /** Decimal. */
  gasUsed: string;
  status: number;
  blockNumber: number;
  output: string;
  message?: string;
  transactionHash: string;
  hash: string;
  logEntries: LogEntryJson[];
  from?: string;
  to?: string;
  input?: string;
  /** With proof: the width-2 Merkle proof of the receipt hash to the block's receiptsRoot (hex, no 0x). */
  txReceiptProof?: string[];
}

export interface SignatureJson {
  sealerIndex: number;
  signature: string;
}

export interface BlockHeaderJson {
  hash: string;
  version: number;
  txsRoot: string;
  receiptsRoot: string;
  stateRoot: string;
  number: number;
  gasUsed: string;
  timestamp: number;
  sealer: number;
  extraData: string;
  consensusWeights: number[];
  sealerList: string[];
  parentInfo: Array<{ blockNumber: number; blockHash: string }>;
  signatureList: SignatureJson[];
}

export interface BlockJson extends BlockHeaderJson {
  transactions?: Array<string | TransactionJson>;
}

export interface TransactionJson {
  version: number;
  hash: string;
  nonce: string;
  blockLimit: number;
  to: string;
  input: string;
  from: string;
  chainID: string;
  groupID: string;
  abi: string;
  signature: string;
  /** With proof: the width-2 Merkle proof of the transaction hash to the block's txsRoot (hex, no 0x). */
  txProof?: string[];
}

/** A `getLogs` result (bcos-rpc filter/LogMatcher.cpp): quantities in hex, logIndex within its receipt. */
export interface FilteredLogJson {
  data: string;
  logIndex: string;
  blockNumber: string;
  blockHash: string;
  transactionIndex: string;
  transactionHash: string;
  address: string;
  topics: string[];
}

export interface GroupInfoJson {
  chainID: string;
  groupID: string;
  nodeList: Array<{ iniConfig: string; name: string; nodeID: string }>;
}

/** A node's `iniConfig` (PBFTInitializer.cpp): what it runs and in which crypto mode. */
export interface NodeIniConfig {
  binaryInfo?: { version?: string; platform?: string };
  chainID: string;
  groupID: string;
  smCryptoType: boolean;
  /** Only the emulator has it: its name and version. */
  emulator?: { name: string; version: string };
}
