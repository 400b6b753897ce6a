import { getAddress } from 'ethers';
import {
  InvalidInputError,
  NotFoundError,
  fromBase64,
  toBase64,
  RejectedByChainError,
  UnavailableError,
  checkAttesterPolicy,
  checkEmitRequest,
  checkEvidenceSubject,
  checkPacket,
  isBsnError,
  packetCommitment,
  packetId,
  checkAppRef,
  type Ack,
  type AppRef,
  type Attester,
  type ChainGrant,
  type DeliveryAttesters,
  type InterchainAttestation,
  type PacketState,
  type BsnError,
  type Evidence,
  type Interchain,
  type Packet,
  type PacketInput,
  type Receipt,
  type Signer,
  type TrustRoots,
  type Verification,
} from '@bsn/contract';
import { num, type RawReceipt } from '../chain.js';
import { FRAMEWORK } from '../describe.js';
import { revertOf, toBsnError } from '../errors.js';
import type { AdapterParts } from '../parts.js';
import { addressOf, localKeySigner, signerAddress } from '../signer-bridge.js';
import { EthereumDelivery } from './delivery.js';
import { deliveredPacketOf, deliveryLogIndex } from './delivery-evidence.js';
import { checkTxId } from '../validation.js';
import { BsnPacketOutbox } from '../generated/artifacts.js';
import { InconsistentChainError, collectInclusion, type ProofRpc } from './collect.js';
import { openOutbox } from './outbox-deploy.js';
import { PACKET_SENT_TOPIC, decodePacketSentData, outboxInterface, packetFields } from './outbox.js';
import type { EthereumProof } from './proof.js';
import type { EthereumRoots } from './trust.js';
import { SeqSequencer } from './seq-sequencer.js';
import { verifyEthereumEvidence } from './verify.js';

export interface InterchainDeps extends Pick<AdapterParts, 'config' | 'chain' | 'finality' | 'sender' | 'nonces' | 'registry' | 'logger'> {
  /** Creation code of BsnPacketOutbox (default: the compiled artifact). */
  outboxBytecode?: string;
  /** An operator-deployed outbox (networks without a faucet must name one). */
  outbox?: string;
}

/** How often emit re-reads the next seq when a concurrent sender took it first. */
const SEQ_ATTEMPTS = 5;

/**
 * Interchain on Ethereum: packets go out through BsnPacketOutbox (see its notes on what is
 * bound on chain); evidence is the header, the transaction and its receipt with trie proofs,
 * and the PacketSent log; verification is `verifyEthereumEvidence`. Delivery comes later.
 */
export class EthereumInterchain implements Interchain {
  private outbox?: Promise<string>;
  private readonly delivery: EthereumDelivery;
  private readonly seqs = new SeqSequencer();

  constructor(private readonly d: InterchainDeps) {
    this.delivery = new EthereumDelivery({ ...d, outboxAddress: () => this.outboxAddress() });
  }

  configureDelivery(attesters: DeliveryAttesters, signer: Signer): Promise<Receipt> {
    return this.delivery.configureDelivery(attesters, signer);
  }

  setGrant(app: AppRef, grant: ChainGrant, signer: Signer): Promise<Receipt> {
    return this.delivery.setGrant(checkAppRef(app).appId, grant, signer);
  }

  deliver(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<{ receipt: Receipt; ack: Ack }> {
    return this.delivery.deliver(packet, attestations, signer);
  }

  recordTimeout(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    return this.delivery.recordTimeout(packet, attestations, signer);
  }

  acknowledge(packet: Packet, ack: Ack, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    return this.delivery.acknowledge(packet, ack, attestations, signer);
  }

  closeTimedOut(packet: Packet, attestations: InterchainAttestation[], signer: Signer): Promise<Receipt> {
    return this.delivery.closeTimedOut(packet, attestations, signer);
  }

  packetState(packet: Packet): Promise<PacketState> {
    return this.delivery.packetState(packet);
  }

  /** The outbox address, deploying it on a dev network at first use. */
  outboxAddress(): Promise<string> {
    this.outbox ??= openOutbox(
      {
        config: this.d.config,
        chain: this.d.chain,
        sender: this.d.sender,
        nonces: this.d.nonces,
        finality: this.d.finality,
        logger: this.d.logger,
        registry: this.d.registry.address,
        bytecode: this.d.outboxBytecode ?? BsnPacketOutbox.bytecode,
        owner: this.d.config.faucet ? addressOf(localKeySigner(this.d.config.faucet.privateKey).publicKey) : '0x' + '00'.repeat(20),
      },
      this.d.outbox ?? this.d.config.outbox,
    ).catch((error) => {
      this.outbox = undefined;
      throw error;
    });
    return this.outbox;
  }

  private get rpc(): ProofRpc {
    return this.d.chain.rpc;
  }

  async emit(app: AppRef, input: PacketInput, signer: Signer): Promise<{ packet: Packet; receipt: Receipt }> {
    const { srcApp, fields, packetAt } = checkEmitRequest(app, input, this.d.config.name);
    // The chain rebuilds the commitment from the payload's bytes, so only their one spelling is
    // accepted (base64 with nonzero padding bits decodes to the same bytes under another string).
    if (toBase64(fromBase64(fields.payload, '/packet/payload')) !== fields.payload)
      throw new InvalidInputError('/packet/payload: must be canonical base64 (zero padding bits)', { field: '/packet/payload' });
    const from = signerAddress(signer, '/signer');
    await this.d.registry.resolve(srcApp); // NotFoundError for an unknown app
    const outbox = await this.outboxAddress();
    const channel = JSON.stringify([srcApp, fields.dstChain, fields.dstApp]);
    const sendData = (p: Packet) =>
      outboxInterface.encodeFunctionData('sendPacket', [packetFields(p), p.seq, '0x' + packetId(p), '0x' + packetCommitment(p)]);
    for (let attempt = 1; ; attempt++) {
      let packet: Packet | undefined;
      let what = `sending a packet from ${srcApp} to ${fields.dstChain}/${fields.dstApp}`;
      try {
        const raw = await this.seqs.run(
          channel,
          () => this.nextSeq(outbox, srcApp, fields.dstChain, fields.dstApp),
          async (seq, chainNext) => {
            packet = packetAt(seq);
            what = `sending packet ${seq} from ${srcApp} to ${packet.dstChain}/${packet.dstApp}`;
            // Behind packets still in flight, this one would revert if estimated now: its gas is
            // estimated as the same packet at the chain's next seq (the seq is all that differs).
            const gasLimit =
              seq === chainNext ? undefined : await this.d.sender.estimate(from, { to: outbox, data: sendData(packetAt(chainNext)), what });
            const req = { to: outbox, data: sendData(packet), what, ...(gasLimit && { gasLimit }) };
            return () => this.d.sender.send(req, signer, { wait: 'final' });
          },
        );
        return { packet: packet!, receipt: await this.receiptOf(raw, packetId(packet!)) };
      } catch (error) {
        const mapped = outboxError(error, what);
        if (mapped === 'seq-taken' && attempt < SEQ_ATTEMPTS) {
          this.d.logger.debug('ethereum adapter: packet seq taken by a concurrent sender, retrying', { srcApp, seq: packet?.seq, from });
          continue;
        }
        if (mapped === 'seq-taken') {
          throw new UnavailableError(`${what}: concurrent senders took the next seq ${SEQ_ATTEMPTS} times; try again`, {
            stage: 'submit',
            detail: { framework: FRAMEWORK },
          });
        }
        throw mapped;
      }
    }
  }

  private async nextSeq(outbox: string, srcApp: string, dstChain: string, dstApp: string): Promise<number> {
    try {
      const out = await this.d.chain.call(
        { to: outbox, data: outboxInterface.encodeFunctionData('nextSeq', [srcApp, dstChain, dstApp]) },
        'pending',
      );
      const [seq] = outboxInterface.decodeFunctionResult('nextSeq', out) as unknown as [bigint];
      return Number(seq);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: 'reading the next packet seq' });
    }
  }

  private async receiptOf(raw: RawReceipt, id: string): Promise<Receipt> {
    const number = num(raw.blockNumber);
    return {
      txId: raw.transactionHash,
      requestId: `packet:${id}`,
      status: 'committed',
      block: { number, hash: raw.blockHash },
      events: [],
      timestamp: await this.d.chain.timestampMs(number, raw.blockHash),
    };
  }

  async evidence(txId: string, subject: Evidence['subject']): Promise<Evidence> {
    checkTxId(txId);
    const wanted: Evidence['subject'] = checkEvidenceSubject(subject, ['packet', 'ack', 'timeout']);
    const outbox = await this.outboxAddress();
    let inclusion: Awaited<ReturnType<typeof collectInclusion>>;
    try {
      inclusion = await collectInclusion(this.rpc, txId);
    } catch (error) {
      if (isBsnError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new UnavailableError(`collecting evidence for ${txId}: ${message}`, {
        stage: 'query',
        cause: error,
        detail: { framework: FRAMEWORK, message, data: { txId, inconsistent: error instanceof InconsistentChainError } },
      });
    }
    if (!inclusion) throw new NotFoundError(`transaction ${txId} is not in a block`, { stage: 'query', txId });
    const finalHead = await this.d.finality.finalHead();
    if (inclusion.blockNumber > finalHead) {
      throw new UnavailableError(`block ${inclusion.blockNumber} of ${txId} is not final yet (final head ${finalHead}); retry`, {
        stage: 'query',
        txId,
        detail: { framework: FRAMEWORK, data: { block: inclusion.blockNumber, finalHead } },
      });
    }
    if (num(inclusion.rpcReceipt.status ?? '0x0') !== 1) {
      throw new RejectedByChainError(`transaction ${txId} failed on chain: it committed no packet`, { stage: 'commit', txId });
    }
    const logs = inclusion.rpcReceipt.logs;
    let logIndex: number;
    let packet: Packet | undefined;
    if (wanted.kind === 'packet') {
      logIndex = logs.findIndex(
        (l) =>
          getAddress(l.address) === outbox && l.topics[0] === PACKET_SENT_TOPIC && l.topics[1]?.toLowerCase() === '0x' + wanted.packetId,
      );
      if (logIndex >= 0) packet = await this.packetOf(txId, outbox, logs[logIndex]!.data);
    } else {
      logIndex = deliveryLogIndex(wanted.kind, logs, outbox, wanted.packetId);
      const tx = logIndex >= 0 ? await this.d.chain.transaction(txId) : undefined;
      packet = tx?.to && getAddress(tx.to) === outbox ? deliveredPacketOf(tx.input, wanted.kind) : undefined;
    }
    if (logIndex < 0 || !packet)
      throw new NotFoundError(`transaction ${txId} recorded no ${wanted.kind} of packet ${wanted.packetId} through the outbox ${outbox}`, {
        stage: 'query',
        txId,
      });
    if (packetId(packet) !== wanted.packetId) {
      throw new NotFoundError(`transaction ${txId} carries packet ${packetId(packet)}, not ${wanted.packetId}`, { stage: 'query', txId });
    }
    const proof: EthereumProof = {
      header: inclusion.header,
      txIndex: inclusion.txIndex,
      transaction: inclusion.transaction,
      transactionProof: inclusion.transactionProof,
      receipt: inclusion.receipt,
      receiptProof: inclusion.receiptProof,
      logIndex,
      packet,
    };
    return {
      v: 1,
      framework: FRAMEWORK,
      chain: this.d.config.name,
      subject: wanted,
      txId: txId.toLowerCase(),
      block: inclusion.blockNumber,
      blockHash: inclusion.blockHash,
      proof: proof as unknown as Record<string, unknown>,
    };
  }

  /** The packet a PacketSent log was emitted for, rebuilt from the transaction's call to the outbox. */
  private async packetOf(txId: string, outbox: string, logData: string): Promise<Packet> {
    const tx = await this.d.chain.transaction(txId);
    if (!tx?.to || getAddress(tx.to) !== outbox) {
      throw new NotFoundError(`transaction ${txId} did not call the outbox directly; its packet cannot be read back`, {
        stage: 'query',
        txId,
      });
    }
    const call = outboxInterface.parseTransaction({ data: tx.input });
    if (call?.name !== 'sendPacket') throw new NotFoundError(`transaction ${txId} is not a sendPacket call`, { stage: 'query', txId });
    const [srcApp, dstChain, dstApp, method, payload, timeout, grantRef] = call.args[0] as unknown as [
      string,
      string,
      string,
      string,
      string,
      bigint,
      string,
    ];
    const { seq } = decodePacketSentData(logData);
    return checkPacket({
      v: 1,
      srcChain: this.d.config.name,
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

  async verify(evidence: Evidence, trust: TrustRoots): Promise<Verification> {
    return verifyEthereumEvidence(evidence, trust);
  }

  async trustRoots(attesters: Attester[], threshold: number): Promise<TrustRoots> {
    const policy = checkAttesterPolicy(attesters, threshold);
    const roots: EthereumRoots = { chainId: this.d.config.chainId, outbox: await this.outboxAddress(), ...policy };
    return { framework: FRAMEWORK, chain: this.d.config.name, roots: roots as unknown as Record<string, unknown> };
  }
}

/** A failed sendPacket as a typed error; 'seq-taken' when only the seq raced (a concurrent sender took it). */
function outboxError(error: unknown, what: string): BsnError | 'seq-taken' {
  const mapped = toBsnError(error, { stage: 'submit', what });
  return revertOf(mapped)?.name === 'SeqMismatch' ? 'seq-taken' : mapped;
}
