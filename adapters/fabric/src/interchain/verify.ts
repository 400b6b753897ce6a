import { common, ledger, msp as mspProtos, peer } from '@hyperledger/fabric-protos';
import {
  EvidenceRejection,
  canonicalJson,
  checkEvidenceEnvelope,
  evidenceIndex,
  evidencePacket,
  failClosed,
  packetBytes,
  packetCommitment,
  reject,
  verifyAttestations,
  type Evidence,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { blockHeaderBytes } from '../blocks.js';
import { FRAMEWORK } from '../describe.js';
import { validationCodeName } from '../errors.js';
import { sha256 } from '../sha256.js';
import { checkIdentity, signatureHolds, type PinnedMsp, type Role } from './msp.js';
import {
  MAX_BLOCK_BYTES,
  MAX_BLOCK_SIGNATURES,
  MAX_ENDORSEMENTS,
  counterKey,
  packetEventName,
  packetKey,
  type FabricProof,
} from './proof.js';
import { channelPinned, checkRoots, type CheckedRoots } from './trust.js';
import { verifyDeliveryOutput } from './verify-delivery.js';
import { decode, writesOf } from './decode.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function blockBytes(value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length === 0) reject('the proof carries no block (base64)');
  if (value.length > Math.ceil(MAX_BLOCK_BYTES / 3) * 4) reject(`the block is larger than ${MAX_BLOCK_BYTES} bytes`);
  // Buffer skips what is not base64; only canonical text (its own encoding) decodes to itself.
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) reject('the block is not canonical base64');
  return new Uint8Array(bytes);
}

/**
 * Verifies Fabric evidence that a packet was sent, against pinned roots. Everything is rebuilt
 * here from the block bytes: the header hash and data hash, the orderer's signature over the
 * header, the transaction's channel header and creator signature, the proposal hash binding the
 * endorsements to this transaction, every endorsement against the pinned org CAs and the
 * endorsement policy, and the chaincode's own output (event and write set) against the packet.
 * Fails closed, never throws.
 *
 * What a verifier cannot rebuild: the TRANSACTIONS_FILTER is written by each committing peer and
 * signed by nobody. Its VALID is required, and every check Fabric's validation makes from signed
 * data (creator and endorser signatures, endorsement policy, chaincode, response status) is
 * redone here, and so is the MVCC check as far as the block itself shows it (a loser of a race
 * whose winner is in the same block); a race lost to an earlier block needs world state at
 * commit, which no block carries (see the README on what that leaves).
 */
export async function verifyFabricEvidence(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
  return failClosed(() => verify(evidence, trust));
}

function verify(evidence: Evidence, trust: TrustRoots): Verification {
  const checked = checkRoots(trust);
  if (!checked.ok) reject(checked.reason);
  const roots = checked.roots;
  const packetId = checkEvidenceEnvelope(evidence, trust, FRAMEWORK, ['packet', 'ack', 'timeout']);
  const kind = evidence.subject.kind;
  const delivery = kind === 'ack' || kind === 'timeout' ? kind : undefined;
  const proof = evidence.proof as Partial<FabricProof> | undefined;
  if (typeof proof !== 'object' || proof === null) reject('evidence has no proof');

  // 1. The block: data hash and header hash rebuilt from its bytes.
  const block = decode('the block', (b) => common.Block.deserializeBinary(b), blockBytes(proof.block));
  const header = block.getHeader();
  if (!header) reject('the block has no header');
  const number = header.getNumber();
  if (!Number.isSafeInteger(number) || number < 0) reject('the block number is out of range');
  if (number !== evidence.block) reject(`the block is number ${number}, the evidence names block ${String(evidence.block)}`);
  const data = block.getData()?.getDataList_asU8() ?? [];
  if (data.length === 0) reject('the block holds no transactions');
  const dataHash = sha256(...data);
  if (!equal(dataHash, header.getDataHash_asU8())) reject('the block data does not hash to the data hash in its header');
  const headerBytes = blockHeaderBytes(BigInt(number), header.getPreviousHash_asU8(), dataHash);
  const blockHash = hex(sha256(headerBytes));
  // As evidence() writes it: lowercase hex, no 0x (docs/adapter-contract.md §8).
  if (evidence.blockHash !== undefined && evidence.blockHash !== blockHash)
    reject(`the block header hashes to ${blockHash}, not to the evidence's blockHash ${String(evidence.blockHash)}`);
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];

  // 2. The transaction at txIndex: an endorser transaction on the pinned channel, the one named.
  const txIndex = evidenceIndex(proof.txIndex, 'txIndex');
  const envelopeBytes = data[txIndex];
  if (!envelopeBytes) reject(`the block has no transaction ${txIndex} (it has ${data.length})`);
  const tx = openTx(envelopeBytes);
  if (tx.type !== common.HeaderType.ENDORSER_TRANSACTION)
    reject(`transaction ${txIndex} is not an endorser transaction (header type ${tx.type})`);
  // The app the evidence is about (the packet's source, an ack's or timeout's target): only its
  // own dedicated channel may stand in for the pinned one, and step 11 binds the packet to it.
  const about = (proof.packet as Partial<Record<'srcApp' | 'dstApp', unknown>> | undefined)?.[delivery ? 'dstApp' : 'srcApp'];
  if (!channelPinned(roots, tx.channel, about)) {
    const or = roots.dedicatedChannels ? ` or the dedicated channel of ${JSON.stringify(about)}` : '';
    reject(`transaction ${txIndex} is on channel ${JSON.stringify(tx.channel)}, the roots pin ${roots.channel}${or}`);
  }
  // With SHA-256(nonce ‖ creator) = tx.txId (validateTx), this also makes evidence.txId well-formed.
  if (tx.txId !== evidence.txId) reject(`transaction ${txIndex} is ${tx.txId}, the evidence names ${evidence.txId}`);
  if (tx.at.getTime() <= 0) reject('the transaction has no timestamp');

  // 3. The orderer signed the block header.
  checkOrdererSignature(metadata[common.BlockMetadataIndex.SIGNATURES], headerBytes, roots.orderer, tx.at);

  // 4. City-node attestations, when the roots ask for them (in addition to the orderer's signature).
  if (roots.attestation) {
    const attested = verifyAttestations(
      { framework: FRAMEWORK, chain: trust.chain, number, hash: blockHash },
      evidence.attestations,
      roots.attestation,
    );
    if (!attested.ok) reject(`block ${number} (${blockHash}) is not attested: ${attested.reason}`);
  }

  // 5. Its validation code, as the committing peer recorded it (see the note above).
  const flags = metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  if (flags.length !== data.length) reject(`the block's TRANSACTIONS_FILTER has ${flags.length} flags for ${data.length} transactions`);
  if (flags[txIndex] !== 0)
    reject(`transaction ${evidence.txId} is flagged ${validationCodeName(flags[txIndex]!)} in the block, not VALID: it committed nothing`);

  // 6–9. What Fabric's validation checks from signed data: creator, proposal hash, chaincode, endorsements, response.
  const ccAction = validateTx(tx, roots);

  // 10. The same-block race the flag may hide: an earlier transaction of this block that read what
  // this one read, at the same versions, and wrote one of those keys, validly endorsed.
  const winner = earlierWinner(data, txIndex, ccAction, roots, tx.channel);
  if (winner) reject(winner);

  // 11'. A delivery's ack or timeout record: what the target's chaincode emitted and wrote (verify-delivery.ts).
  if (delivery) return verifyDeliveryOutput(delivery, packetId, proof.packet, ccAction, trust.chain, roots.chaincode, evidence.txId);

  // 11. The packet: well-formed, from this chain, and exactly what the chaincode emitted and wrote.
  const sent = evidencePacket(proof.packet, trust.chain, packetId);
  if ('reason' in sent) reject(sent.reason);
  const { packet, id } = sent;

  const eventBytes = ccAction.getEvents_asU8();
  if (eventBytes.length === 0) reject('the transaction emitted no chaincode event: it sent no packet');
  const event = decode('the chaincode event', (b) => peer.ChaincodeEvent.deserializeBinary(b), eventBytes);
  if (event.getChaincodeId() !== roots.chaincode)
    reject(`the event was emitted by chaincode ${JSON.stringify(event.getChaincodeId())}, not ${roots.chaincode}`);
  if (event.getTxId() !== evidence.txId) reject('the event names another transaction');
  if (event.getEventName() !== packetEventName(packet.srcApp))
    reject(`the event is ${JSON.stringify(event.getEventName())}, not a packet sent from ${packet.srcApp}`);
  if (!equal(event.getPayload_asU8(), packetBytes(packet)))
    reject('the chaincode emitted another packet than this one (its canonical bytes differ)');

  const writes = writesOf(ccAction.getResults_asU8(), roots.chaincode);
  const record = writes.get(packetKey(packet));
  const expected = utf8(canonicalJson({ commitment: packetCommitment(packet), id, tx: evidence.txId }));
  if (!record) reject(`the transaction did not write ${packetKey(packet)}: seq ${packet.seq} was not assigned to this packet`);
  if (!equal(record, expected)) reject(`the chaincode recorded another packet id or commitment under ${packetKey(packet)}`);
  const counter = writes.get(counterKey(packet));
  if (!counter || !equal(counter, utf8(JSON.stringify({ seq: packet.seq }))))
    reject(`the chaincode did not advance ${counterKey(packet)} to seq ${packet.seq}`);

  return { state: 'proven', subject: { kind: 'packet', packetId: id }, packet };
}

/** An envelope taken apart, with the bytes each signature covers. */
interface OpenTx {
  type: number;
  channel: string;
  txId: string;
  at: Date;
  creator: Uint8Array;
  nonce: Uint8Array;
  payloadBytes: Uint8Array;
  signature: Uint8Array;
  channelHeaderBytes: Uint8Array;
  payloadData: Uint8Array;
}

function openTx(envelopeBytes: Uint8Array): OpenTx {
  const envelope = decode('the transaction envelope', (b) => common.Envelope.deserializeBinary(b), envelopeBytes);
  const payloadBytes = envelope.getPayload_asU8();
  const payload = decode('the envelope payload', (b) => common.Payload.deserializeBinary(b), payloadBytes);
  const channelHeaderBytes = payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array();
  const channelHeader = decode('the channel header', (b) => common.ChannelHeader.deserializeBinary(b), channelHeaderBytes);
  const signatureHeader = decode(
    'the signature header',
    (b) => common.SignatureHeader.deserializeBinary(b),
    payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array(),
  );
  const ts = channelHeader.getTimestamp();
  return {
    type: channelHeader.getType(),
    channel: channelHeader.getChannelId(),
    txId: channelHeader.getTxId(),
    at: new Date((ts?.getSeconds() ?? 0) * 1000 + Math.floor((ts?.getNanos() ?? 0) / 1e6)),
    creator: signatureHeader.getCreator_asU8(),
    nonce: signatureHeader.getNonce_asU8(),
    payloadBytes,
    signature: envelope.getSignature_asU8(),
    channelHeaderBytes,
    payloadData: payload.getData_asU8(),
  };
}

/** The endorsed chaincode action of an endorser transaction, undecoded checks aside. */
function endorsedAction(tx: OpenTx) {
  const transaction = decode('the transaction', (b) => peer.Transaction.deserializeBinary(b), tx.payloadData);
  const actions = transaction.getActionsList();
  if (actions.length !== 1) reject(`the transaction has ${actions.length} actions (Fabric executes exactly one)`);
  const action = actions[0]!;
  const actionHeaderBytes = action.getHeader_asU8();
  const actionPayload = decode(
    'the chaincode action payload',
    (b) => peer.ChaincodeActionPayload.deserializeBinary(b),
    action.getPayload_asU8(),
  );
  const endorsed = actionPayload.getAction();
  if (!endorsed) reject('the transaction carries no endorsed action');
  const responsePayloadBytes = endorsed.getProposalResponsePayload_asU8();
  const responsePayload = decode(
    'the proposal response payload',
    (b) => peer.ProposalResponsePayload.deserializeBinary(b),
    responsePayloadBytes,
  );
  const ccAction = decode('the chaincode action', (b) => peer.ChaincodeAction.deserializeBinary(b), responsePayload.getExtension_asU8());
  return {
    actionHeaderBytes,
    proposalPayloadBytes: actionPayload.getChaincodeProposalPayload_asU8(),
    endorsements: endorsed.getEndorsementsList(),
    responsePayloadBytes,
    responsePayload,
    ccAction,
  };
}

/**
 * Everything Fabric's validation checks from signed data, redone: tx id = SHA-256(nonce ‖
 * creator); the creator is an identity of a pinned org and signed the payload; one action by the
 * same creator; the endorsed response is for this proposal (proposal hash); the pinned chaincode
 * was invoked and executed, answering 200; the endorsements meet the pinned policy.
 */
function validateTx(tx: OpenTx, roots: CheckedRoots): peer.ChaincodeAction {
  if (tx.nonce.length === 0) reject('the transaction has no nonce');
  if (hex(sha256(tx.nonce, tx.creator)) !== tx.txId) reject('the transaction id is not SHA-256(nonce ‖ creator)');
  const creator = checkIdentity(tx.creator, roots.orgs, 'member', tx.at);
  if (!creator.ok) reject(`the transaction's creator is not accepted: ${creator.reason}`);
  const creatorSig = signatureHolds(creator.certificate, tx.payloadBytes, tx.signature);
  if (creatorSig) reject(`the creator's signature over the transaction: ${creatorSig}`);
  const a = endorsedAction(tx);
  const actionHeader = decode("the action's signature header", (b) => common.SignatureHeader.deserializeBinary(b), a.actionHeaderBytes);
  if (!equal(actionHeader.getCreator_asU8(), tx.creator)) reject("the action's creator is not the transaction's creator");
  if (!equal(sha256(tx.channelHeaderBytes, a.actionHeaderBytes, a.proposalPayloadBytes), a.responsePayload.getProposalHash_asU8())) {
    reject('the endorsed response is for another proposal (proposal hash differs)');
  }
  const proposalPayload = decode(
    'the chaincode proposal payload',
    (b) => peer.ChaincodeProposalPayload.deserializeBinary(b),
    a.proposalPayloadBytes,
  );
  const invocation = decode(
    'the chaincode invocation',
    (b) => peer.ChaincodeInvocationSpec.deserializeBinary(b),
    proposalPayload.getInput_asU8(),
  );
  const invoked = invocation.getChaincodeSpec()?.getChaincodeId()?.getName();
  if (invoked !== roots.chaincode) reject(`the transaction invokes chaincode ${JSON.stringify(invoked)}, the roots pin ${roots.chaincode}`);
  checkEndorsements(a.endorsements, a.responsePayloadBytes, roots, tx.at);
  const executed = a.ccAction.getChaincodeId()?.getName();
  if (executed !== roots.chaincode)
    reject(`the endorsers executed chaincode ${JSON.stringify(executed)}, the roots pin ${roots.chaincode}`);
  const status = a.ccAction.getResponse()?.getStatus();
  if (status !== 200) reject(`the chaincode answered status ${String(status)}, not 200`);
  return a.ccAction;
}

/** Reads (namespace/key → version) and writes (namespace/key) of a transaction's public read-write set. */
interface ReadWrite {
  reads: Map<string, string>;
  writes: Set<string>;
  /** Range queries or private data: reads this verifier does not compare. */
  opaque: boolean;
}

function readWriteOf(results: Uint8Array): ReadWrite {
  const rwset = decode('the read-write set', (b) => ledger.rwset.TxReadWriteSet.deserializeBinary(b), results);
  const out: ReadWrite = { reads: new Map(), writes: new Set(), opaque: rwset.getDataModel() !== ledger.rwset.TxReadWriteSet.DataModel.KV };
  for (const ns of rwset.getNsRwsetList()) {
    if (ns.getCollectionHashedRwsetList().length > 0) out.opaque = true;
    const kv = decode(
      `the ${ns.getNamespace()} read-write set`,
      (b) => ledger.rwset.kvrwset.KVRWSet.deserializeBinary(b),
      ns.getRwset_asU8(),
    );
    if (kv.getRangeQueriesInfoList().length > 0) out.opaque = true;
    for (const r of kv.getReadsList()) {
      const v = r.getVersion();
      out.reads.set(`${ns.getNamespace()}\u0000${r.getKey()}`, v ? `${v.getBlockNum()}:${v.getTxNum()}` : 'absent');
    }
    for (const w of kv.getWritesList()) out.writes.add(`${ns.getNamespace()}\u0000${w.getKey()}`);
  }
  return out;
}

/**
 * Within one block Fabric validates in order: a transaction is MVCC-invalid when an earlier
 * valid one wrote a key it read. If an earlier transaction j read nothing but what this one read,
 * at the same versions (no range queries, no private data), wrote a key this one read, and is
 * valid as far as signed data goes, then: were this one valid, its reads were current at its
 * turn, hence j's were at j's turn, so j was valid and its write made this one's read stale —
 * so this one was invalidated, whatever its flag says. That is the loser of a seq race whose
 * winner landed in the same block. (A winner in an earlier block cannot be seen from this one.)
 */
function earlierWinner(
  data: Uint8Array[],
  txIndex: number,
  ours: peer.ChaincodeAction,
  roots: CheckedRoots,
  channel: string,
): string | undefined {
  const mine = readWriteOf(ours.getResults_asU8());
  for (let j = 0; j < txIndex; j++) {
    let reason: string | undefined;
    try {
      const other = openTx(data[j]!);
      if (other.type !== common.HeaderType.ENDORSER_TRANSACTION || other.channel !== channel) continue;
      const rw = readWriteOf(endorsedAction(other).ccAction.getResults_asU8());
      if (rw.opaque || ![...rw.reads].every(([k, v]) => mine.reads.get(k) === v)) continue;
      const clash = [...rw.writes].find((k) => mine.reads.has(k));
      if (clash === undefined) continue;
      validateTx(other, roots);
      reason = `transaction ${j} of this block (${other.txId}) read what this one read at the same versions and wrote ${clash.split('\u0000')[1]} before it: this transaction lost that race (MVCC_READ_CONFLICT) and committed nothing, whatever its flag says`;
    } catch (error) {
      if (!(error instanceof EvidenceRejection)) throw error;
      continue;
    }
    return reason;
  }
  return undefined;
}

function checkEndorsements(endorsements: peer.Endorsement[], responsePayload: Uint8Array, roots: CheckedRoots, at: Date): void {
  if (endorsements.length === 0) reject('the transaction carries no endorsement');
  if (endorsements.length > MAX_ENDORSEMENTS) reject(`the transaction carries more than ${MAX_ENDORSEMENTS} endorsements`);
  const endorsedBy = new Set<string>();
  for (const [i, e] of endorsements.entries()) {
    const endorser = e.getEndorser_asU8();
    const claimed = decode(`endorsement ${i}'s identity`, (b) => mspProtos.SerializedIdentity.deserializeBinary(b), endorser).getMspid();
    // An org the roots do not pin (a further org on the channel) neither counts nor refutes.
    if (!roots.orgs.has(claimed)) continue;
    const who = checkIdentity(endorser, roots.orgs, roots.policy.role as Role, at);
    if (!who.ok) reject(`endorsement ${i}: ${who.reason}`);
    const bad = signatureHolds(who.certificate, Buffer.concat([responsePayload, endorser]), e.getSignature_asU8());
    if (bad) reject(`endorsement ${i} (${who.mspId}): ${bad}`);
    endorsedBy.add(who.mspId);
  }
  const met = roots.policy.mspIds.filter((m) => endorsedBy.has(m));
  if (met.length < roots.policy.n) {
    const missing = roots.policy.mspIds.filter((m) => !endorsedBy.has(m));
    reject(
      `the endorsement policy is not met: ${met.length} of ${roots.policy.n} required orgs of [${roots.policy.mspIds.join(', ')}] endorsed (missing ${missing.join(', ')})`,
    );
  }
}

function checkOrdererSignature(
  bytes: Uint8Array | undefined,
  headerBytes: Uint8Array,
  orderer: ReadonlyMap<string, PinnedMsp>,
  at: Date,
): void {
  if (!bytes || bytes.length === 0) reject('the block carries no orderer signature (metadata SIGNATURES is empty)');
  const meta = decode('the SIGNATURES metadata', (b) => common.Metadata.deserializeBinary(b), bytes);
  const signatures = meta.getSignaturesList();
  if (signatures.length === 0) reject('the block carries no orderer signature');
  if (signatures.length > MAX_BLOCK_SIGNATURES) reject(`the block carries more than ${MAX_BLOCK_SIGNATURES} signatures`);
  const value = meta.getValue_asU8();
  let valid = 0;
  for (const [i, s] of signatures.entries()) {
    const sigHeaderBytes = s.getSignatureHeader_asU8();
    // BFT orderers (Fabric 3) name signers by an identifier header instead; not a pinned identity here.
    if (sigHeaderBytes.length === 0) continue;
    const sigHeader = decode(`block signature ${i}'s header`, (b) => common.SignatureHeader.deserializeBinary(b), sigHeaderBytes);
    const identity = sigHeader.getCreator_asU8();
    const claimed = decode(
      `block signature ${i}'s identity`,
      (b) => mspProtos.SerializedIdentity.deserializeBinary(b),
      identity,
    ).getMspid();
    if (!orderer.has(claimed)) continue;
    const who = checkIdentity(identity, orderer, 'orderer', at);
    if (!who.ok) reject(`block signature ${i}: ${who.reason}`);
    const bad = signatureHolds(who.certificate, Buffer.concat([value, sigHeaderBytes, headerBytes]), s.getSignature_asU8());
    if (bad) reject(`block signature ${i} (${who.mspId}): ${bad}`);
    valid++;
  }
  if (valid === 0) reject(`the block is not signed by the pinned orderer org ${[...orderer.keys()].join(', ')}`);
}
