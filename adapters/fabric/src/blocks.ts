import { createHash } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import { validationCodeName } from './errors.js';

/** One transaction of a block, as far as the adapter needs it. */
export interface BlockTransaction {
  /** Position in the block. */
  index: number;
  txId: string;
  /** common.HeaderType: 3 for endorser transactions, 1 for config. */
  type: number;
  validationCode: number;
  validationName: string;
  valid: boolean;
  /** Channel header timestamp, ms since epoch (set by the client that built the transaction). */
  timestamp: number;
  /** Endorser transactions: the chaincode invoked, its function and arguments. */
  chaincode?: string;
  fn?: string;
  args?: Uint8Array[];
  /** The chaincode event the transaction emitted (at most one in Fabric). */
  event?: { chaincode: string; name: string; payload: Uint8Array };
}

export interface DecodedBlock {
  number: number;
  /** SHA-256 of the DER-encoded header (Fabric's block hash), hex. */
  hash: string;
  previousHash: string;
  dataHash: string;
  /** The first transaction's timestamp (Fabric block headers carry none). */
  timestamp: number;
  transactions: BlockTransaction[];
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function derInteger(n: bigint): number[] {
  const hex = n.toString(16);
  const bytes = Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return [0x02, ...derLength(bytes.length), ...bytes];
}

const derOctets = (b: Uint8Array): number[] => [0x04, ...derLength(b.length), ...b];

/**
 * Fabric's block hash: SHA-256 of the ASN.1 DER encoding of
 * `SEQUENCE { number INTEGER, previousHash OCTET STRING, dataHash OCTET STRING }`
 * (protoutil.BlockHeaderBytes). Each header names its parent's hash, so the chain of hashes
 * can be checked block by block.
 */
export function blockHeaderHash(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): string {
  return createHash('sha256')
    .update(blockHeaderBytes(number, previousHash, dataHash))
    .digest('hex');
}

/** The DER header bytes themselves: what the block hash is taken over and the orderer signs (after its metadata). */
export function blockHeaderBytes(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Uint8Array {
  const body = [...derInteger(number), ...derOctets(previousHash), ...derOctets(dataHash)];
  return Uint8Array.from([0x30, ...derLength(body.length), ...body]);
}

function timestampMs(ts: { getSeconds(): number; getNanos(): number } | undefined): number {
  return ts ? ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6) : 0;
}

function decodeEndorserTransaction(data: Uint8Array, tx: BlockTransaction): void {
  const transaction = peer.Transaction.deserializeBinary(data);
  const action = transaction.getActionsList()[0];
  if (!action) return;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const proposalPayload = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(proposalPayload.getInput_asU8()).getChaincodeSpec();
  const input = spec?.getInput()?.getArgsList_asU8() ?? [];
  tx.chaincode = spec?.getChaincodeId()?.getName() ?? '';
  if (input.length > 0) {
    tx.fn = Buffer.from(input[0]!).toString('utf8');
    tx.args = input.slice(1);
  }
  const endorsed = actionPayload.getAction();
  if (!endorsed) return;
  const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
  const ccAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
  const eventBytes = ccAction.getEvents_asU8();
  if (eventBytes.length === 0) return;
  const event = peer.ChaincodeEvent.deserializeBinary(eventBytes);
  if (event.getEventName()) {
    tx.event = { chaincode: event.getChaincodeId(), name: event.getEventName(), payload: event.getPayload_asU8() };
  }
}

/** Decodes a block as qscc or the deliver service return it (`common.Block` bytes). */
export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  const block = common.Block.deserializeBinary(bytes);
  return decodeBlockMessage(block);
}

export function decodeBlockMessage(block: common.Block): DecodedBlock {
  const header = block.getHeader();
  if (!header) throw new Error('the block has no header');
  const number = BigInt(header.getNumber());
  const previousHash = header.getPreviousHash_asU8();
  const dataHash = header.getDataHash_asU8();
  const flags = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const transactions = envelopes.map((envelopeBytes, index): BlockTransaction => {
    const envelope = common.Envelope.deserializeBinary(envelopeBytes);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
    const validationCode = flags[index] ?? 254;
    const tx: BlockTransaction = {
      index,
      txId: channelHeader.getTxId(),
      type: channelHeader.getType(),
      validationCode,
      validationName: validationCodeName(validationCode),
      valid: validationCode === 0,
      timestamp: timestampMs(channelHeader.getTimestamp()),
    };
    if (tx.type === common.HeaderType.ENDORSER_TRANSACTION) {
      try {
        decodeEndorserTransaction(payload.getData_asU8(), tx);
      } catch {
        // A malformed transaction is still listed (the ledger keeps it, flagged invalid).
      }
    }
    return tx;
  });
  return {
    number: Number(number),
    hash: blockHeaderHash(number, previousHash, dataHash),
    previousHash: Buffer.from(previousHash).toString('hex'),
    dataHash: Buffer.from(dataHash).toString('hex'),
    timestamp: transactions[0]?.timestamp ?? 0,
    transactions,
  };
}

/** The events of `chaincode` in a block: valid transactions only, in block order, with their running index. */
export function chaincodeEventsOf(
  block: DecodedBlock,
  chaincode: string,
): Array<{ index: number; tx: BlockTransaction; event: NonNullable<BlockTransaction['event']> }> {
  const out: Array<{ index: number; tx: BlockTransaction; event: NonNullable<BlockTransaction['event']> }> = [];
  for (const tx of block.transactions) {
    if (tx.valid && tx.event && tx.event.chaincode === chaincode) out.push({ index: out.length, tx, event: tx.event });
  }
  return out;
}
