import {
  NotFoundError,
  RejectedByChainError,
  UnavailableError,
  checkAttesterPolicy,
  checkEmitRequest,
  checkEvidenceSubject,
  checkPacket,
  isBsnError,
  packetCommitment,
  packetId,
  type AppRef,
  type Attester,
  type Evidence,
  type Interchain,
  type Packet,
  type PacketInput,
  type Receipt,
  type Signer,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { checkSigner } from '../accounts.js';
import type { ChainContext } from '../chain-context.js';
import { isNotFoundOnLedger, toBsnError } from '../errors.js';
import { FRAMEWORK } from '../framework.js';
import { registryInterface } from '../contracts/abi.js';
import { checkTxId } from '../lookups.js';
import { hexToBytes } from '../node/chain-reader.js';
import type { BlockHeaderJson, ReceiptJson, TransactionJson } from '../node/node-json.js';
import { receiptOf } from '../receipts.js';
import { FiscoDelivery } from './delivery.js';
import type { FiscoProof } from './fisco-proof.js';
import type { FiscoRoots } from './fisco-roots.js';
import { verifyFiscoEvidence } from './verify.js';

/** How often emit re-reads the next seq when a concurrent sender took it first. */
const SEQ_ATTEMPTS = 5;

/**
 * Interchain on FISCO BCOS: packets go out through the group's BsnKvRegistry (`sendPacket`,
 * which checks the sender is a member of the unfrozen source app and assigns the seq); the
 * evidence is the block header with its sealers' signatures, the receipt with its Merkle
 * proof and the PacketSent log (see FiscoProof); `verifyFiscoEvidence` checks it against
 * pinned roots. Delivery (FiscoDelivery) runs on the same registry.
 */
export class FiscoInterchain implements Interchain {
  private readonly delivery: FiscoDelivery;

  constructor(private readonly c: ChainContext) {
    this.delivery = new FiscoDelivery(c);
  }

  // The delivery half (docs/interchain-delivery.md), all on the registry: see FiscoDelivery.
  configureDelivery: Required<Interchain>['configureDelivery'] = (attesters, signer) => this.delivery.configureDelivery(attesters, signer);
  setGrant: Required<Interchain>['setGrant'] = (app, grant, signer) => this.delivery.setGrant(app, grant, signer);
  deliver: Required<Interchain>['deliver'] = (packet, attestations, signer) => this.delivery.deliver(packet, attestations, signer);
  recordTimeout: Required<Interchain>['recordTimeout'] = (packet, attestations, signer) =>
    this.delivery.recordTimeout(packet, attestations, signer);
  acknowledge: Required<Interchain>['acknowledge'] = (packet, ack, attestations, signer) =>
    this.delivery.acknowledge(packet, ack, attestations, signer);
  closeTimedOut: Required<Interchain>['closeTimedOut'] = (packet, attestations, signer) =>
    this.delivery.closeTimedOut(packet, attestations, signer);
  packetState: Required<Interchain>['packetState'] = (packet) => this.delivery.packetState(packet);

  async emit(app: AppRef, input: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }> {
    const { srcApp, fields, packetAt } = checkEmitRequest(app, input, this.c.config.name);
    checkSigner(this.c.suite, signer);
    const location = await this.c.apps.get(srcApp);
    const registry = this.c.config.registry;
    for (let attempt = 1; ; attempt++) {
      const [next] = await this.c.calls.view(
        this.c.calls.registry,
        registry,
        'nextSeq',
        [srcApp, fields.dstChain, fields.dstApp],
        'reading the next packet seq',
      );
      const packet = packetAt(Number(next));
      const id = packetId(packet);
      const call = this.c.calls.registry.encode('sendPacket', [
        srcApp,
        packet.dstChain,
        packet.dstApp,
        packet.method,
        Buffer.from(packet.payload, 'base64'),
        packet.timeout,
        packet.grantRef,
        packet.seq,
        '0x' + id,
        '0x' + packetCommitment(packet),
      ]);
      const what = `sending packet ${packet.seq} from ${srcApp} to ${packet.dstChain}/${packet.dstApp}`;
      const raw = await this.c.txs.signAndSend(registry, call, signer, what, Date.now() + this.c.config.submitTimeoutMs);
      if (raw.status !== 0 && this.c.calls.revertOf(hexToBytes(raw.output))?.name === 'SeqMismatch') {
        if (attempt < SEQ_ATTEMPTS) continue;
        throw new UnavailableError(`${what}: concurrent senders took the next seq ${SEQ_ATTEMPTS} times; try again`, { stage: 'submit' });
      }
      this.c.calls.check(raw, { what });
      return { packet, receipt: await receiptOf(this.c.chain, this.c.calls, raw, `packet:${id}`, location) };
    }
  }

  async evidence(txId: string, subject: Evidence['subject']): Promise<Evidence> {
    const id = checkTxId(txId);
    const wanted = checkEvidenceSubject(subject, ['packet', 'ack', 'timeout']);
    let receipt: ReceiptJson;
    let header: BlockHeaderJson;
    try {
      receipt = await this.c.chain.receipt(id, true);
      header = await this.c.chain.header(receipt.blockNumber);
    } catch (error) {
      if (isNotFoundOnLedger(error))
        throw new NotFoundError(`transaction ${id} is not on the ledger`, { stage: 'query', txId: id, field: '/txId' });
      throw toBsnError(error, { stage: 'query', txId: id, what: `collecting evidence for ${id}` });
    }
    if (receipt.status !== 0)
      throw new RejectedByChainError(`transaction ${id} failed on chain: it committed no packet`, { stage: 'commit', txId: id });
    const registry = this.c.config.registry.slice(2);
    const event = wanted.kind === 'packet' ? 'PacketSent' : wanted.kind === 'ack' ? 'PacketDelivered' : 'PacketTimedOut';
    const topic = '0x' + this.c.calls.registry.eventTopic(event);
    const logIndex = receipt.logEntries.findIndex(
      (l) =>
        l.address.replace(/^0x/, '').toLowerCase() === registry &&
        l.topics[0] === topic &&
        l.topics[1]?.toLowerCase() === '0x' + wanted.packetId,
    );
    if (logIndex < 0) {
      const what = { packet: 'sent no packet', ack: 'delivered no packet', timeout: 'recorded no timeout of packet' }[wanted.kind];
      throw new NotFoundError(`transaction ${id} ${what} ${wanted.packetId} through the registry`, { stage: 'query', txId: id });
    }
    const tx = await this.c.chain.transaction(id, true).catch((error: unknown) => {
      throw isBsnError(error) ? error : toBsnError(error, { stage: 'query', txId: id, what: `reading transaction ${id}` });
    });
    const packet = wanted.kind === 'packet' ? this.packetOf(id, tx, receipt, logIndex) : this.deliveredPacketOf(id, tx, wanted.kind);
    if (packetId(packet) !== wanted.packetId) {
      throw new NotFoundError(`transaction ${id} carries packet ${packetId(packet)}, not ${wanted.packetId}`, { stage: 'query', txId: id });
    }
    const proof: FiscoProof = {
      header: {
        version: header.version,
        parentInfo: header.parentInfo,
        txsRoot: header.txsRoot,
        receiptsRoot: header.receiptsRoot,
        stateRoot: header.stateRoot,
        number: header.number,
        gasUsed: header.gasUsed,
        timestamp: header.timestamp,
        sealer: header.sealer,
        sealerList: header.sealerList,
        extraData: header.extraData,
        consensusWeights: header.consensusWeights,
      },
      signatureList: header.signatureList,
      receipt: {
        version: receipt.version,
        gasUsed: receipt.gasUsed,
        contractAddress: receipt.contractAddress,
        status: receipt.status,
        output: receipt.output,
        logEntries: receipt.logEntries,
        blockNumber: receipt.blockNumber,
      },
      receiptProof: receipt.txReceiptProof ?? [],
      txProof: tx.txProof ?? [],
      logIndex,
      packet,
    };
    return {
      v: 1,
      framework: FRAMEWORK,
      chain: this.c.config.name,
      subject: wanted,
      txId: id,
      block: header.number,
      blockHash: header.hash,
      proof: proof as unknown as Record<string, unknown>,
    };
  }

  /** The packet a PacketSent log was emitted for, read back from the sendPacket call and the seq the registry assigned. */
  private packetOf(txId: string, tx: TransactionJson, receipt: ReceiptJson, logIndex: number): Packet {
    const input = hexToBytes(tx.input);
    const sendPacket = this.c.calls.registry.selectorOf(
      'sendPacket(string,string,string,string,bytes,uint64,string,uint64,bytes32,bytes32)',
    );
    if (Buffer.from(input.subarray(0, 4)).toString('hex') !== sendPacket)
      throw new NotFoundError(`transaction ${txId} is not a sendPacket call`, { stage: 'query', txId });
    const [srcApp, dstChain, dstApp, method, payload, timeout, grantRef] = this.c.calls.registry.decodeArguments(
      'sendPacket',
      input,
    ) as unknown as [string, string, string, string, string, bigint, string];
    const log = receipt.logEntries[logIndex]!;
    const [, seq] = this.c.calls.registry.decodeLog('PacketSent', {
      address: log.address,
      topics: log.topics.map(hexToBytes),
      data: hexToBytes(log.data),
    })!;
    return checkPacket({
      v: 1,
      srcChain: this.c.config.name,
      srcApp,
      dstChain,
      dstApp,
      seq: Number(seq),
      method,
      payload: Buffer.from(payload.slice(2), 'hex').toString('base64'),
      timeout: Number(timeout),
      grantRef,
    });
  }

  /** The packet a deliver / recordTimeout call carried (the transaction's input). */
  private deliveredPacketOf(txId: string, tx: TransactionJson, kind: 'ack' | 'timeout'): Packet {
    const fn = kind === 'ack' ? 'deliver' : 'recordTimeout';
    const input = hexToBytes(tx.input);
    const f = registryInterface.getFunction(fn)!;
    if (Buffer.from(input.subarray(0, 4)).toString('hex') !== this.c.calls.registry.selectorOf(f.format('sighash')))
      throw new NotFoundError(`transaction ${txId} is not a ${fn} call`, { stage: 'query', txId });
    const [srcChain, srcApp, dstChain, dstApp, seq, method, payload, timeout, grantRef] = this.c.calls.registry.decodeArguments(
      fn,
      input,
    ) as unknown as [string, string, string, string, bigint, string, string, bigint, string];
    return checkPacket({
      v: 1,
      srcChain,
      srcApp,
      dstChain,
      dstApp,
      seq: Number(seq),
      method,
      payload: Buffer.from(payload.slice(2), 'hex').toString('base64'),
      timeout: Number(timeout),
      grantRef,
    });
  }

  verify(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
    return verifyFiscoEvidence(evidence, trust);
  }

  /** The roots a city node on this group would pin: the group, its crypto mode, the registry, the sealers the node lists. */
  async trustRoots(attesters: Attester[], threshold: number): Promise<TrustRoots> {
    const policy = checkAttesterPolicy(attesters, threshold);
    const sealers = await this.c.chain.sealers().catch((error: unknown) => {
      throw toBsnError(error, { stage: 'query', what: 'reading the sealer list' });
    });
    const roots: FiscoRoots = {
      chainId: this.c.config.chainId,
      groupId: this.c.config.groupId,
      crypto: this.c.suite.mode,
      registry: this.c.config.registry,
      sealers: sealers.map((s) => s.nodeID.replace(/^0x/, '').toLowerCase()),
      ...policy,
    };
    return { framework: FRAMEWORK, chain: this.c.config.name, roots: roots as unknown as Record<string, unknown> };
  }
}
