/**
 * Verifies EOS evidence that a packet was sent, against pinned roots, rebuilding every signed
 * byte: each block id from its header, each producer's signing digest from the header, the
 * block-root merkle (derived block by block from the one of the packet's block) and the
 * schedule hash, the key recovered from each signature against the pinned schedule,
 * `transaction_mroot` from the receipts, the transaction id from the packed transaction, and
 * the packet from the `emit` action it executed. Fails closed, never throws.
 */
import { createHash } from 'node:crypto';
import {
  checkEvidenceEnvelope,
  evidenceIndex,
  failClosed,
  packetId,
  recoverPublicKey,
  reject,
  verifyAttestations,
  type Evidence,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import {
  blockIdOf,
  blockNumberOf,
  compressPoint,
  parseSignature,
  producerSigningDigest,
  receiptDigest,
  unpackTransaction,
  RECEIPT_STATUS,
  COMPRESSION,
} from '../antelope/index.js';
import { FRAMEWORK } from '../framework.js';
import { presetAbi } from '../preset-abi.js';
import { IncrementalMerkle, merkleRoot } from './merkle.js';
import { MAX_DESCENDANTS, MAX_RECEIPTS, type EosProof, type SignedHeader } from './proof.js';
import { checkRoots, type ProducerKey } from './trust.js';
import { SUBJECT_ACTION, subjectRecord, type SubjectRecord } from './subject-action.js';

export { packetOfEmit } from './subject-action.js';

const hex32 = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) reject(`${what} is not 32 bytes of lowercase hex`);
  return value;
};

/** Checks `header`'s signature is by the pinned key of its producer, over `blockRoot` and `scheduleHash`. */
function checkSigned(header: SignedHeader, blockRoot: string, scheduleHash: string, keys: Map<string, ProducerKey>, which: string): void {
  const pinned = keys.get(header.producer);
  if (!pinned) reject(`${which} was produced by ${String(header.producer)}, who is not in the pinned schedule`);
  let signature;
  try {
    signature = parseSignature(String(header.producer_signature));
  } catch {
    reject(`${which} carries no readable producer signature`);
  }
  if (signature.curve !== pinned.curve)
    reject(`${which} is signed with a ${signature.curve} key, its producer's pinned key is ${pinned.curve}`);
  const digest = producerSigningDigest(header, blockRoot, scheduleHash);
  const recovered = recoverPublicKey(signature.curve === 'K1' ? 'secp256k1' : 'secp256r1', digest, signature.compact, signature.recovery);
  if (!recovered || !Buffer.from(compressPoint(recovered)).equals(Buffer.from(pinned.compressed))) {
    reject(`${which} is not signed by the pinned key of ${header.producer}`);
  }
}

function checkHeaderShape(header: SignedHeader, version: number, which: string): void {
  if (typeof header !== 'object' || header === null) reject(`${which} is missing`);
  if (header.schedule_version !== version)
    reject(`${which} was produced under schedule ${String(header.schedule_version)}, the pinned one is ${version}`);
  // Every signed field as get_block reports it, none read as a default: a missing field packed
  // as zero would hash the same as the block and prove a header nobody gave.
  if (typeof header.timestamp !== 'string') reject(`${which} has no timestamp`);
  if (typeof header.producer !== 'string') reject(`${which} names no producer`);
  if (!Number.isInteger(header.confirmed) || header.confirmed < 0 || header.confirmed > 0xffff) reject(`${which} has no confirmed count`);
  if (header.new_producers !== undefined && header.new_producers !== null) reject(`${which} proposes a new producer schedule`);
  if (!Array.isArray(header.header_extensions)) reject(`${which} has no header extension list`);
  for (const extension of header.header_extensions) {
    // 0: protocol features activated; anything else (a schedule change) is not proven here.
    if (!Array.isArray(extension) || extension[0] !== 0) reject(`${which} carries a header extension this verifier does not accept`);
  }
}

async function verify(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
  const checked = checkRoots(trust);
  if (!checked.ok) reject(checked.reason);
  const { roots, keys, quorum } = checked;
  const subjectId = checkEvidenceEnvelope(evidence, trust, FRAMEWORK, ['packet', 'ack', 'timeout']);
  const proof = evidence.proof as Partial<EosProof>;
  if (typeof proof !== 'object' || proof === null) reject('evidence carries no proof');
  const txId = hex32(evidence.txId, 'txId');
  const blockHash = hex32(evidence.blockHash, 'blockHash');
  const number = evidenceIndex(evidence.block, 'block');
  const scheduleHash = hex32(proof.scheduleHash, 'proof.scheduleHash');

  // 1. The header chain: ids rebuilt, each block built on the one before.
  const header = proof.header as SignedHeader;
  const descendants = proof.descendants;
  if (!Array.isArray(descendants) || descendants.length === 0) reject('the proof has no blocks built on the packet block');
  if (descendants.length > MAX_DESCENDANTS) reject(`the proof has more than ${MAX_DESCENDANTS} descendant blocks`);
  const chain = [header, ...(descendants as SignedHeader[])];
  chain.forEach((h, i) => checkHeaderShape(h, roots.schedule.version, i === 0 ? 'the packet block' : `descendant ${i}`));
  const ids = chain.map((h) => blockIdOf(h));
  if (ids[0] !== blockHash) reject('blockHash is not the id of the proof header');
  if (blockNumberOf(ids[0]!) !== number) reject(`the proof header is block ${blockNumberOf(ids[0]!)}, not ${number}`);
  for (let i = 1; i < chain.length; i++)
    if (chain[i]!.previous !== ids[i - 1]) reject(`descendant ${i} is not built on the block before it`);

  // 2. Every header signed by its pinned producer, over the block-root merkle derived block by block.
  const state = proof.blockRoot;
  if (typeof state !== 'object' || state === null || !Array.isArray(state.activeNodes)) reject('the proof has no block-root merkle');
  if (state.nodeCount !== number - 1)
    reject(`the block-root merkle covers ${String(state.nodeCount)} blocks, block ${number} is signed over ${number - 1}`);
  state.activeNodes.forEach((n, i) => hex32(n, `block-root node ${i}`));
  const merkle = new IncrementalMerkle(state);
  chain.forEach((h, i) => {
    checkSigned(h, merkle.root, scheduleHash, keys, i === 0 ? 'the packet block' : `descendant ${i}`);
    merkle.append(ids[i]!);
  });

  // 3. Irreversible: a quorum of distinct scheduled producers built on it.
  const builders = new Set(chain.slice(1).map((h) => h.producer));
  if (builders.size < quorum) reject(`only ${builders.size} of the ${quorum} producers needed for irreversibility built on the block`);

  // 4. The transaction: its receipt among the block's, executed, and the id of its packed form.
  const receipts = proof.receipts;
  if (!Array.isArray(receipts) || receipts.length === 0 || receipts.length > MAX_RECEIPTS) reject('the proof has no usable receipt list');
  if (Buffer.from(merkleRoot(receipts.map((r) => receiptDigest(r)))).toString('hex') !== header.transaction_mroot) {
    reject("the receipts do not rebuild the block's transaction_mroot");
  }
  const receipt = receipts[evidenceIndex(proof.txIndex, 'txIndex')];
  if (!receipt) reject('txIndex names no receipt');
  if (RECEIPT_STATUS[String(receipt.status)] !== 0 && receipt.status !== 0)
    reject(`the transaction did not execute (status ${String(receipt.status)})`);
  if (!Array.isArray(receipt.trx) || receipt.trx[0] !== 1) reject('the receipt holds no packed transaction');
  const packedTrx = receipt.trx[1];
  if (COMPRESSION[String(packedTrx.compression)] !== 0 && packedTrx.compression !== 0) reject('a compressed transaction is not accepted');
  const packed = Uint8Array.from(Buffer.from(String(packedTrx.packed_trx), 'hex'));
  if (createHash('sha256').update(packed).digest('hex') !== txId) reject('the packed transaction is not txId');

  // 5. The subject: the contract's action recording it in that transaction, as it executed
  // (emit for a packet, deliver for an ack, rectimeout for a timeout record).
  const kind = evidence.subject.kind;
  const action = unpackTransaction(packed).actions[evidenceIndex(proof.actionIndex, 'actionIndex')];
  if (!action || action.account !== roots.contract || action.name !== SUBJECT_ACTION[kind])
    reject(`actionIndex names no ${SUBJECT_ACTION[kind]} action of ${roots.contract}`);
  let record: SubjectRecord | undefined;
  try {
    record = subjectRecord(kind, presetAbi(), action.name, action.data);
  } catch (error) {
    reject(`the ${action.name} action does not decode: ${(error as Error).message}`);
  }
  if (!record) reject(`the ${action.name} action records no ${kind}`);
  const { packet, ack } = record;
  if (record.chain !== trust.chain) reject(`the ${kind} is recorded for chain ${record.chain}, the roots are for ${trust.chain}`);
  if (packetId(packet) !== subjectId) reject(`the ${kind} recorded is not the subject of the evidence`);

  // 6. City nodes' attestations, where the roots pin attesters.
  if (roots.attesters !== undefined) {
    const attested = verifyAttestations({ framework: FRAMEWORK, chain: trust.chain, number, hash: blockHash }, evidence.attestations, {
      attesters: roots.attesters,
      threshold: roots.threshold!,
    });
    if (!attested.ok) reject(attested.reason);
  }
  return { state: 'proven', subject: { kind, packetId: subjectId }, packet, ...(ack && { ack }) };
}

export function verifyEosEvidence(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
  return failClosed(() => verify(evidence, trust));
}
