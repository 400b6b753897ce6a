import type { Packet } from '@bsn/contract';

/**
 * `Evidence.proof` of a FISCO BCOS packet, all bytes as 0x-hex: the block header's hashed fields
 * and the sealers' signatures over its hash, the receipt's hashed fields with its Merkle proof
 * to the header's receiptsRoot (as the node answers it in `txReceiptProof`), which log of the
 * receipt is the registry's PacketSent, the transaction's Merkle proof to the header's txsRoot
 * (`txProof`, at the receipt's place in the block: it ties the evidence's txId to the receipt),
 * and the packet. A verifier rebuilds the block hash and
 * the receipt hash from these fields itself; nothing is taken as given.
 */
export interface FiscoProof {
  header: {
    version: number;
    parentInfo: Array<{ blockNumber: number; blockHash: string }>;
    txsRoot: string;
    receiptsRoot: string;
    stateRoot: string;
    number: number;
    gasUsed: string;
    timestamp: number;
    sealer: number;
    sealerList: string[];
    extraData: string;
    consensusWeights: number[];
  };
  signatureList: Array<{ sealerIndex: number; signature: string }>;
  receipt: {
    version: number;
    gasUsed: string;
    contractAddress: string;
    status: number;
    output: string;
    logEntries: Array<{ address: string; topics: string[]; data: string }>;
    blockNumber: number;
  };
  receiptProof: string[];
  txProof: string[];
  logIndex: number;
  packet: Packet;
}
