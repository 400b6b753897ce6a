import { TarsFields } from './tars-fields.js';
import { readTarsStruct } from './tars-reader.js';
import { TarsWriter } from './tars-writer.js';
import { DATA_TAG, TX_TAG, type Transaction, type TransactionData } from './transaction.js';

/**
 * TARS bytes of a transaction as FISCO's SDKs write them (go-sdk `Transaction.WriteTo`): the
 * version always, other fields only when set; the signature and hash as byte lists.
 */
export function encodeTransaction(tx: Transaction): Uint8Array {
  const w = new TarsWriter();
  w.struct(TX_TAG.data, (d) => writeData(d, tx.data));
  if (tx.dataHash.length) w.bytes(tx.dataHash, TX_TAG.dataHash);
  if (tx.signature.length) w.bytes(tx.signature, TX_TAG.signature);
  if (tx.importTime !== 0n) w.int(tx.importTime, TX_TAG.importTime);
  if (tx.attribute !== 0) w.int(tx.attribute, TX_TAG.attribute);
  if (tx.extraData) w.string(tx.extraData, TX_TAG.extraData);
  return w.toBytes();
}

function writeData(w: TarsWriter, d: TransactionData): void {
  w.int(d.version, DATA_TAG.version);
  if (d.chainId) w.string(d.chainId, DATA_TAG.chainId);
  if (d.groupId) w.string(d.groupId, DATA_TAG.groupId);
  if (d.blockLimit !== 0n) w.int(d.blockLimit, DATA_TAG.blockLimit);
  if (d.nonce) w.string(d.nonce, DATA_TAG.nonce);
  if (d.to) w.string(d.to, DATA_TAG.to);
  if (d.input.length) w.bytes(d.input, DATA_TAG.input);
  if (d.abi) w.string(d.abi, DATA_TAG.abi);
  if (d.version >= 1) {
    if (d.value) w.string(d.value, DATA_TAG.value);
    if (d.gasPrice) w.string(d.gasPrice, DATA_TAG.gasPrice);
    if (d.gasLimit) w.int(d.gasLimit, DATA_TAG.gasLimit);
    if (d.maxFeePerGas) w.string(d.maxFeePerGas, DATA_TAG.maxFeePerGas);
    if (d.maxPriorityFeePerGas) w.string(d.maxPriorityFeePerGas, DATA_TAG.maxPriorityFeePerGas);
  }
  if (d.version >= 2 && d.extension?.length) w.bytes(d.extension, DATA_TAG.extension);
}

/** A decoded transaction and the exact bytes its string fields were sent as (what the hash covers). */
export interface DecodedTransaction extends Transaction {
  /** The data fields as sent, for the hash: FISCO hashes strings byte for byte, never re-encoded. */
  raw: RawDataFields;
}

export interface RawDataFields {
  chainId: Uint8Array;
  groupId: Uint8Array;
  nonce: Uint8Array;
  to: Uint8Array;
  abi: Uint8Array;
  value: Uint8Array;
  gasPrice: Uint8Array;
  maxFeePerGas: Uint8Array;
  maxPriorityFeePerGas: Uint8Array;
}

/** Decodes TARS transaction bytes; throws TarsDecodeError naming the field that is wrong. */
export function decodeTransaction(bytes: Uint8Array): DecodedTransaction {
  const top = new TarsFields(readTarsStruct(bytes), 'transaction');
  const f = top.struct(TX_TAG.data, 'transaction data');
  const text = (tag: number, name: string) => f.string(tag, name);
  const raw = (tag: number, name: string) => f.stringBytes(tag, name);
  const version = f.int(DATA_TAG.version, 'version');
  const data: TransactionData = {
    version: Number(BigInt.asIntN(32, version)),
    chainId: text(DATA_TAG.chainId, 'chainID'),
    groupId: text(DATA_TAG.groupId, 'groupID'),
    blockLimit: f.int(DATA_TAG.blockLimit, 'blockLimit'),
    nonce: text(DATA_TAG.nonce, 'nonce'),
    to: text(DATA_TAG.to, 'to'),
    input: f.bytes(DATA_TAG.input, 'input'),
    abi: text(DATA_TAG.abi, 'abi'),
    value: text(DATA_TAG.value, 'value'),
    gasPrice: text(DATA_TAG.gasPrice, 'gasPrice'),
    gasLimit: f.int(DATA_TAG.gasLimit, 'gasLimit'),
    maxFeePerGas: text(DATA_TAG.maxFeePerGas, 'maxFeePerGas'),
    maxPriorityFeePerGas: text(DATA_TAG.maxPriorityFeePerGas, 'maxPriorityFeePerGas'),
    extension: f.bytes(DATA_TAG.extension, 'extension'),
  };
  return {
    data,
    dataHash: top.bytes(TX_TAG.dataHash, 'dataHash'),
    signature: top.bytes(TX_TAG.signature, 'signature'),
    importTime: top.int(TX_TAG.importTime, 'importTime'),
    attribute: Number(BigInt.asIntN(32, top.int(TX_TAG.attribute, 'attribute'))),
    extraData: top.string(TX_TAG.extraData, 'extraData'),
    raw: {
      chainId: raw(DATA_TAG.chainId, 'chainID'),
      groupId: raw(DATA_TAG.groupId, 'groupID'),
      nonce: raw(DATA_TAG.nonce, 'nonce'),
      to: raw(DATA_TAG.to, 'to'),
      abi: raw(DATA_TAG.abi, 'abi'),
      value: raw(DATA_TAG.value, 'value'),
      gasPrice: raw(DATA_TAG.gasPrice, 'gasPrice'),
      maxFeePerGas: raw(DATA_TAG.maxFeePerGas, 'maxFeePerGas'),
      maxPriorityFeePerGas: raw(DATA_TAG.maxPriorityFeePerGas, 'maxPriorityFeePerGas'),
    },
  };
}
