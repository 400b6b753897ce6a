import { checksumAddress } from '../protocol/contract-address.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import type { SealedBlock, SealedReceipt, SealedTransaction } from './ledger.js';

/**
 * The JSON a 3.x node answers with (bcos-rpc JsonRpcImpl_2_0.cpp `toJsonResp`): plain integers
 * for numbers and statuses, decimal strings for gas, 0x-prefixed hex for bytes.
 */
const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
/** A stored empty hash prints as a zero hash (HashType of nothing). */
const hash32 = (b: Uint8Array): string => (b.length ? hex(b) : '0x' + '00'.repeat(32));

export function transactionJson(t: SealedTransaction): Record<string, unknown> {
  const d = t.tx.data;
  return {
    version: d.version,
    hash: t.id,
    nonce: Buffer.from(d.nonce, 'utf8').toString('hex'),
    blockLimit: Number(d.blockLimit),
    to: d.to,
    input: hex(d.input),
    from: t.sender,
    importTime: t.importTime,
    chainID: d.chainId,
    groupID: d.groupId,
    abi: d.abi,
    signature: hex(t.tx.signature),
    extraData: t.tx.extraData,
  };
}

export function receiptJson(suite: CryptoSuite, r: SealedReceipt, txId: string): Record<string, unknown> {
  const f = r.fields;
  const address = f.contractAddress ? '0x' + f.contractAddress : '';
  return {
    version: f.version,
    contractAddress: address,
    checksumContractAddress: address && checksumAddress(suite, address),
    gasUsed: f.gasUsed,
    status: f.status,
    blockNumber: f.blockNumber,
    output: hex(f.output),
    message: '',
    transactionHash: txId,
    hash: hex(r.hash),
    logEntries: f.logEntries.map((l) => ({ address: l.address, topics: l.topics.map(hex), data: hex(l.data) })),
  };
}

export function blockHeaderJson(b: SealedBlock): Record<string, unknown> {
  const h = b.header;
  return {
    hash: b.id,
    version: h.version,
    txsRoot: hash32(h.txsRoot),
    receiptsRoot: hash32(h.receiptsRoot),
    stateRoot: hash32(h.stateRoot),
    number: h.number,
    gasUsed: h.gasUsed || '0',
    timestamp: h.timestamp,
    sealer: h.sealer,
    extraData: hex(h.extraData),
    consensusWeights: [...h.consensusWeights],
    sealerList: h.sealerList.map(hex),
    parentInfo: h.parentInfo.map((p) => ({ blockNumber: p.blockNumber, blockHash: hex(p.blockHash) })),
    signatureList: b.signatureList.map((s) => ({ sealerIndex: s.sealerIndex, signature: hex(s.signature) })),
  };
}

export function blockJson(b: SealedBlock, onlyHeader: boolean, onlyTxHash: boolean): Record<string, unknown> {
  const json = blockHeaderJson(b);
  if (onlyHeader) return json;
  return { ...json, transactions: b.transactions.map((t) => (onlyTxHash ? t.id : transactionJson(t))) };
}
