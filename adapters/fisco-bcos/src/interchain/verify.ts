import { AbiCoder } from 'ethers';
import {
  attesterPolicyFault,
  checkEvidenceEnvelope,
  evidenceIndex,
  evidencePacket,
  failClosed,
  packetCommitment,
  reject,
  verifyAttestations,
  type Evidence,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { utf8Bytes } from '../protocol/big-endian.js';
import { blockHash, type BlockHeaderFields } from '../protocol/block-header.js';
import { CRYPTO_MODES, cryptoSuite } from '../protocol/crypto-suite.js';
import { merklePath, verifyMerkleProof } from '../protocol/merkle.js';
import { receiptHash, type ReceiptFields } from '../protocol/receipt.js';
import { checkDeliveryLog } from './delivery-log.js';
import type { FiscoProof } from './fisco-proof.js';
import type { FiscoRoots } from './fisco-roots.js';
import { packetFieldsHash } from './packet-binding.js';
import { SealerSignatures } from './sealer-signatures.js';

const FRAMEWORK = 'fisco-bcos';
const PACKET_SENT = 'PacketSent(bytes32,bytes32,bytes32,uint64,bytes32,address)';

/**
 * Verifies FISCO BCOS evidence that a packet is committed, as a light client would, failing
 * closed at the first doubt:
 *  1. the envelope, the pinned roots (chain, group, crypto mode, registry, sealers) and the packet;
 *  2. the block hash rebuilt from the header fields with the roots' hash, and at least 2f + 1
 *     distinct pinned sealers' signatures over it (the header's sealer list must be the pinned one);
 *  3. the receipt hash rebuilt from its fields, and its Merkle proof to the header's receiptsRoot;
 *     the evidence's txId, by its Merkle proof to the header's txsRoot at the receipt's place;
 *  4. the receipt succeeded and its log at logIndex is the pinned registry's PacketSent for this
 *     packet: id, source app, commitment, seq and fieldsHash all recomputed from the packet —
 *     or, for an ack or a timeout, the registry's PacketDelivered / PacketTimedOut of the packet
 *     the target was given, the ack rebuilt from the log (checkDeliveryLog);
 *  5. when the roots pin attesters, their threshold of attestations of that block (in addition).
 */
export function verifyFiscoEvidence(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
  return failClosed(() => {
    const subjectId = checkEvidenceEnvelope(evidence, trust, FRAMEWORK, ['packet', 'ack', 'timeout']);
    const kind = evidence.subject.kind;
    const roots = checkRoots(trust.roots);
    const suite = cryptoSuite(roots.crypto);
    const proof = evidence.proof as unknown as FiscoProof;
    if (typeof proof !== 'object' || proof === null) reject('the evidence carries no proof');

    const header = headerOf(proof.header);
    const hash = blockHash(suite, header);
    if (evidence.block !== header.number)
      reject(`the evidence names block ${String(evidence.block)}, the header is block ${header.number}`);
    if (evidence.blockHash !== undefined && bare(evidence.blockHash) !== hex(hash)) reject('blockHash is not the hash of the header given');
    SealerSignatures.check(suite, roots, header, hash, proof.signatureList);

    const receipt = receiptOf(proof.receipt);
    if (receipt.blockNumber !== header.number) reject(`the receipt is of block ${receipt.blockNumber}, not ${header.number}`);
    if (!Array.isArray(proof.receiptProof) || proof.receiptProof.length === 0) reject('the receipt has no Merkle proof');
    const merkle = proof.receiptProof.map((p, i) => bytes(p, `receiptProof[${i}]`));
    if (!verifyMerkleProof(suite, merkle, receiptHash(suite, receipt), header.receiptsRoot)) {
      reject("the receipt's Merkle proof does not lead to the block's receiptsRoot");
    }
    if (typeof evidence.txId !== 'string' || !/^(0x)?[0-9a-fA-F]{64}$/.test(evidence.txId)) reject('txId is not a 32-byte hash');
    if (!Array.isArray(proof.txProof) || proof.txProof.length === 0) reject('the transaction has no Merkle proof');
    const txMerkle = proof.txProof.map((p, i) => bytes(p, `txProof[${i}]`));
    const txId = bytes(evidence.txId, 'txId');
    if (!verifyMerkleProof(suite, txMerkle, txId, header.txsRoot))
      reject(`transaction ${evidence.txId} is not proven in the block's txsRoot`);
    const txPlace = merklePath(suite, txMerkle, txId);
    const receiptPlace = merklePath(suite, merkle, receiptHash(suite, receipt));
    if (!txPlace || !receiptPlace || JSON.stringify(txPlace) !== JSON.stringify(receiptPlace)) {
      reject(`the receipt is not the one of transaction ${evidence.txId} (another place in the block)`);
    }
    if (receipt.status !== 0) reject(`the transaction failed (status ${receipt.status}): it committed nothing`);

    const logIndex = evidenceIndex(proof.logIndex, 'logIndex');
    const log = receipt.logEntries[logIndex];
    if (!log) reject(`the receipt has no log ${logIndex}`);
    if ('0x' + log.address !== roots.registry) reject(`log ${logIndex} is not from the pinned registry ${roots.registry}`);
    const attestedBlock = () => {
      if (!roots.attesters) return;
      const attested = verifyAttestations(
        { framework: FRAMEWORK, chain: trust.chain, number: header.number, hash: '0x' + hex(hash) },
        evidence.attestations ?? [],
        { attesters: roots.attesters, threshold: roots.threshold! },
      );
      if (!attested.ok) reject(`the block is not attested by the pinned city nodes: ${attested.reason}`);
    };
    if (kind === 'ack' || kind === 'timeout') {
      const delivered = checkDeliveryLog(suite, kind, log, proof.packet, trust.chain, subjectId);
      attestedBlock();
      return {
        state: 'proven',
        subject: { kind, packetId: subjectId },
        packet: delivered.packet,
        ...(delivered.ack && { ack: delivered.ack }),
      };
    }
    const packet = evidencePacket(proof.packet, trust.chain, subjectId);
    if ('reason' in packet) reject(packet.reason);
    const topic = (s: string) => hex(suite.hash(utf8Bytes(s)));
    if (log.topics.length !== 3 || hex(log.topics[0]!) !== topic(PACKET_SENT)) reject(`log ${logIndex} is not a PacketSent`);
    if (hex(log.topics[1]!) !== packet.id) reject('the PacketSent log names another packet id');
    if (hex(log.topics[2]!) !== topic(packet.packet.srcApp)) reject('the PacketSent log was sent from another app');
    let fields: [string, bigint, string];
    try {
      fields = AbiCoder.defaultAbiCoder().decode(['bytes32', 'uint64', 'bytes32', 'address'], log.data) as unknown as [
        string,
        bigint,
        string,
      ];
    } catch {
      reject('the PacketSent log data is malformed');
    }
    const [commitment, seq, fieldsHash] = fields;
    if (bare(commitment) !== packetCommitment(packet.packet)) reject("the PacketSent commitment is not the packet's");
    if (Number(seq) !== packet.packet.seq) reject(`the registry assigned seq ${seq}, the packet says ${packet.packet.seq}`);
    if (bare(fieldsHash) !== hex(packetFieldsHash(suite, packet.packet))) reject('the fields the registry was sent are not the packet');

    attestedBlock();
    return { state: 'proven', subject: { kind: 'packet', packetId: packet.id }, packet: packet.packet };
  });
}

function checkRoots(value: unknown): FiscoRoots {
  const r = value as Partial<FiscoRoots> | null;
  if (typeof r !== 'object' || r === null) reject('no roots pinned');
  if (typeof r.chainId !== 'string' || !r.chainId) reject('the roots pin no chain id');
  if (typeof r.groupId !== 'string' || !r.groupId) reject('the roots pin no group');
  if (!CRYPTO_MODES.includes(r.crypto as never)) reject('the roots pin no crypto mode (standard or sm)');
  if (typeof r.registry !== 'string' || !/^0x[0-9a-f]{40}$/.test(r.registry) || /^0x0{40}$/.test(r.registry)) {
    reject('the roots pin no registry (a non-zero lowercase address)');
  }
  if (!Array.isArray(r.sealers) || r.sealers.length === 0) reject('the roots pin no sealers');
  if (r.sealers.some((s) => typeof s !== 'string' || !/^[0-9a-f]{128}$/.test(s))) reject('a pinned sealer is not a 64-byte node id');
  if (new Set(r.sealers).size !== r.sealers.length) reject('a sealer is pinned twice');
  if (r.attesters !== undefined || r.threshold !== undefined) {
    const fault = attesterPolicyFault(r.attesters, r.threshold);
    if (fault) reject(`the pinned attester policy is unsound: ${fault}`);
  }
  return r as FiscoRoots;
}

function headerOf(h: FiscoProof['header']): BlockHeaderFields {
  if (typeof h !== 'object' || h === null) reject('the proof has no block header');
  return {
    version: int(h.version, 'header.version'),
    parentInfo: list<{ blockNumber: unknown; blockHash: unknown }>(h.parentInfo, 'header.parentInfo').map((p) => ({
      blockNumber: int(p?.blockNumber, 'header.parentInfo.blockNumber'),
      blockHash: bytes(p?.blockHash, 'header.parentInfo.blockHash'),
    })),
    txsRoot: bytes(h.txsRoot, 'header.txsRoot'),
    receiptsRoot: bytes(h.receiptsRoot, 'header.receiptsRoot'),
    stateRoot: bytes(h.stateRoot, 'header.stateRoot'),
    number: int(h.number, 'header.number'),
    gasUsed: decimal(h.gasUsed, 'header.gasUsed'),
    timestamp: int(h.timestamp, 'header.timestamp'),
    sealer: int(h.sealer, 'header.sealer'),
    sealerList: list(h.sealerList, 'header.sealerList').map((s, i) => bytes(s, `header.sealerList[${i}]`)),
    extraData: bytes(h.extraData, 'header.extraData'),
    consensusWeights: list(h.consensusWeights, 'header.consensusWeights').map((w) => int(w, 'header.consensusWeights')),
  };
}

function receiptOf(r: FiscoProof['receipt']): ReceiptFields {
  if (typeof r !== 'object' || r === null) reject('the proof has no receipt');
  if (typeof r.contractAddress !== 'string' || !/^(0x)?([0-9a-f]{40})?$/.test(r.contractAddress))
    reject('receipt.contractAddress is malformed');
  return {
    version: int(r.version, 'receipt.version'),
    gasUsed: decimal(r.gasUsed, 'receipt.gasUsed'),
    contractAddress: bare(r.contractAddress),
    status: int(r.status, 'receipt.status'),
    output: bytes(r.output, 'receipt.output'),
    logEntries: list<{ address: unknown; topics: unknown; data: unknown }>(r.logEntries, 'receipt.logEntries').map((l, i) => {
      if (typeof l?.address !== 'string' || !/^(0x)?[0-9a-f]{40}$/.test(l.address)) reject(`receipt log ${i} has a malformed address`);
      return {
        address: bare(l.address),
        topics: list(l.topics, `receipt log ${i} topics`).map((t) => bytes(t, `receipt log ${i} topic`)),
        data: bytes(l.data, `receipt log ${i} data`),
      };
    }),
    blockNumber: int(r.blockNumber, 'receipt.blockNumber'),
  };
}

const bare = (s: string): string => String(s).replace(/^0x/i, '').toLowerCase();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function bytes(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !/^(0x)?([0-9a-fA-F]{2})*$/.test(value)) reject(`${what} is not hex`);
  return Uint8Array.from(Buffer.from(bare(value), 'hex'));
}

function int(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) reject(`${what} is not a non-negative integer`);
  return value;
}

function decimal(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,30})$/.test(value)) reject(`${what} is not a decimal string`);
  return value;
}

function list<T = unknown>(value: unknown, what: string): T[] {
  if (!Array.isArray(value)) reject(`${what} is not a list`);
  return value as T[];
}
