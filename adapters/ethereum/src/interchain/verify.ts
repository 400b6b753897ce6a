import { Transaction, getAddress, getBytes, hexlify, isHexString, keccak256 } from 'ethers';
import {
  checkEvidenceEnvelope,
  evidenceIndex,
  evidencePacket,
  failClosed,
  isPacketId,
  packetCommitment,
  reject,
  verifyAttestations,
  type Evidence,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { headerHash, headerItems, type EthHeader } from './header.js';
import { PACKET_SENT_TOPIC, decodePacketSentData, packetFieldsHash, srcAppTopic } from './outbox.js';
import { MAX_PROOF_NODES, type EthereumProof } from './proof.js';
import { decodeReceipt } from './receipt.js';
import { provenValue } from './trie.js';
import { checkRoots } from './trust.js';
import { provenDelivery } from './delivery-evidence.js';

function hexField(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !isHexString(value) || value.length < 4) reject(`${what} is not 0x-prefixed hex`);
  return getBytes(value);
}

function nodes(value: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(value) || value.length === 0) reject(`${what} has no nodes`);
  if (value.length > MAX_PROOF_NODES) reject(`${what} has more than ${MAX_PROOF_NODES} nodes`);
  return value.map((n, i) => hexField(n, `${what} node ${i}`));
}

/** The value at `index` of the trie under `root`, or a rejection naming the proof that does not hold. */
async function provenAt(
  root: Uint8Array,
  index: number,
  proof: unknown,
  what: 'transaction' | 'receipt',
  rootName: string,
): Promise<Uint8Array> {
  const proofNodes = nodes(proof, `${what}Proof`);
  try {
    return await provenValue(root, index, proofNodes);
  } catch (error) {
    reject(`the ${what} proof does not hold against ${rootName}: ${(error as Error).message}`);
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Verifies Ethereum evidence that a packet was sent, against pinned roots. Everything is
 * rebuilt here from the bytes in the evidence: the block hash from the header fields, the
 * transaction and receipt from their trie proofs against the header's roots, the packet id,
 * commitment and field binding from the packet. Fails closed, never throws.
 */
export function verifyEthereumEvidence(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
  return failClosed(() => verify(evidence, trust));
}

async function verify(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
  const checked = checkRoots(trust);
  if (!checked.ok) reject(checked.reason);
  const roots = checked.roots;
  const packetId = checkEvidenceEnvelope(evidence, trust, FRAMEWORK, ['packet', 'ack', 'timeout']);
  const kind = evidence.subject.kind;
  const proof = evidence.proof as Partial<EthereumProof> | undefined;
  if (typeof proof !== 'object' || proof === null) reject('evidence has no proof');

  // 1. The block: its hash is rebuilt from the header fields, never taken from the evidence.
  const header = proof.header as EthHeader;
  let items: Uint8Array[];
  try {
    items = headerItems(header);
  } catch (error) {
    reject(`the header is malformed: ${(error as Error).message}`);
  }
  const blockHash = headerHash(header);
  const number = Number(BigInt(header.number!));
  if (number !== evidence.block) reject(`the header is block ${number}, the evidence names block ${String(evidence.block)}`);
  if (evidence.blockHash !== undefined && (typeof evidence.blockHash !== 'string' || !same(evidence.blockHash, blockHash))) {
    reject(`the header hashes to ${blockHash}, not to the evidence's blockHash ${String(evidence.blockHash)}`);
  }

  // 2. The block is final: t of the pinned city nodes attested exactly this (chain, number, hash).
  const attested = verifyAttestations({ framework: FRAMEWORK, chain: trust.chain, number, hash: blockHash }, evidence.attestations, {
    attesters: roots.attesters,
    threshold: roots.threshold,
  });
  if (!attested.ok) reject(`block ${number} (${blockHash}) is not attested as final: ${attested.reason}`);

  // 3. The transaction is in the block, is the one named, and was signed for the pinned chain.
  const txIndex = evidenceIndex(proof.txIndex, 'txIndex');
  const txBytes = hexField(proof.transaction, 'transaction');
  const provenTx = await provenAt(items[4]!, txIndex, proof.transactionProof, 'transaction', 'transactionsRoot');
  if (hexlify(provenTx) !== hexlify(txBytes)) reject(`the transaction is not the one at index ${txIndex} of the block`);
  if (!same(keccak256(txBytes), String(evidence.txId)))
    reject(`the transaction hashes to ${keccak256(txBytes)}, not to txId ${String(evidence.txId)}`);
  let chainId: bigint;
  try {
    chainId = Transaction.from(hexlify(txBytes)).chainId;
  } catch (error) {
    reject(`the transaction cannot be decoded: ${(error as Error).message}`);
  }
  if (chainId !== BigInt(roots.chainId)) reject(`the transaction is signed for chain id ${chainId}, the roots pin ${roots.chainId}`);

  // 4. Its receipt is in the block and says success.
  const receiptBytes = hexField(proof.receipt, 'receipt');
  const provenReceipt = await provenAt(items[5]!, txIndex, proof.receiptProof, 'receipt', 'receiptsRoot');
  if (hexlify(provenReceipt) !== hexlify(receiptBytes)) reject(`the receipt is not the one at index ${txIndex} of the block`);
  let receipt: ReturnType<typeof decodeReceipt>;
  try {
    receipt = decodeReceipt(receiptBytes);
  } catch (error) {
    reject(`the receipt cannot be decoded: ${(error as Error).message}`);
  }
  if (receipt.status !== 1) reject('the transaction failed (receipt status 0): a reverted transaction commits nothing');

  // 5. The log: emitted by the pinned outbox, PacketSent, for this packet.
  const logIndex = evidenceIndex(proof.logIndex, 'logIndex');
  const log = receipt.logs[logIndex];
  if (!log) reject(`the receipt has no log ${logIndex} (it has ${receipt.logs.length})`);
  if (!same(log.address, roots.outbox))
    reject(`log ${logIndex} was emitted by ${getAddress(log.address)}, not by the pinned outbox ${roots.outbox}`);
  if (kind === 'ack' || kind === 'timeout') {
    const { packet, ack } = provenDelivery(kind, log, proof.packet, trust.chain, packetId);
    return { state: 'proven', subject: { kind, packetId }, packet, ...(ack && { ack }) };
  }
  if (log.topics.length !== 3 || !same(log.topics[0]!, PACKET_SENT_TOPIC)) reject(`log ${logIndex} is not a PacketSent event`);

  // 6. The packet: well-formed, from this chain, and every binding rebuilt from it matches the log.
  const sent = evidencePacket(proof.packet, trust.chain, packetId);
  if ('reason' in sent) reject(sent.reason);
  const { packet, id } = sent;
  if (!same(log.topics[1]!, '0x' + id)) reject(`log ${logIndex} is for packet ${log.topics[1]}, not ${id}`);
  if (!same(log.topics[2]!, srcAppTopic(packet.srcApp))) reject(`log ${logIndex} was sent from another app than ${packet.srcApp}`);
  let data: ReturnType<typeof decodePacketSentData>;
  try {
    data = decodePacketSentData(log.data);
  } catch (error) {
    reject(`log ${logIndex} data cannot be decoded: ${(error as Error).message}`);
  }
  if (data.seq !== BigInt(packet.seq)) reject(`the outbox assigned seq ${data.seq}, the packet says ${packet.seq}`);
  if (!same(data.commitment, '0x' + packetCommitment(packet))) reject(`log ${logIndex} commits to another packet (commitment differs)`);
  let fieldsHash: string;
  try {
    fieldsHash = packetFieldsHash(packet);
  } catch (error) {
    reject(`the packet's payload cannot be decoded: ${(error as Error).message}`);
  }
  if (!same(data.fieldsHash, fieldsHash)) reject(`the outbox saw other packet fields than these (fieldsHash differs)`);

  return { state: 'proven', subject: { kind: 'packet', packetId: id }, packet };
}
