import type { Gateway, Status } from '@hyperledger/fabric-gateway';
import { gateway as gatewayProtos, msp } from '@hyperledger/fabric-protos';
import { RejectedByChainError, TimeoutError, UnavailableError, type ChainEvent, type Receipt } from '@bsn/contract';
import { chaincodeEventsOf, type BlockTransaction, type DecodedBlock } from './blocks.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError, validationCodeName } from './errors.js';
import {
  askEndorsers,
  checkEndorserCommits,
  endorsingMspIds,
  type CommittedOnGateway,
  type EndorserAnswer,
  type EndorserAsk,
} from './endorser-commits.js';
import { chainEventOf } from './events.js';
import type { Ledger } from './ledger.js';

export interface TransactOptions {
  /** For messages: what is being done (`put on app-1`). */
  what: string;
  /** ms since epoch: endorsement, ordering and the commit status all end by then. */
  deadline: number;
  /**
   * Whether the chaincode answers `{txId, duplicate}` (preset writes): a duplicate request id
   * is not submitted, the first transaction is returned instead.
   */
  kvResult?: boolean;
  /** Only these orgs endorse (tests of endorsement failures); default: what the policy needs. */
  endorsingOrganizations?: string[];
}

/** A transaction the ledger holds as valid, with the block that holds it. */
export interface Committed {
  txId: string;
  block: DecodedBlock;
  tx: BlockTransaction;
  /** The chaincode's answer at endorsement (empty for a duplicate request id). */
  result: Uint8Array;
  /** True when the request id had run already and `txId` is that first transaction. */
  duplicate: boolean;
}

/** Validation codes that mean "another transaction changed what this one read": endorsing again is safe. */
const RETRYABLE = new Set(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);
const MAX_ATTEMPTS = 4;

/**
 * The gateway's words when the endorsing peers computed different results: one org's peer has
 * committed a block the other's has not yet (e.g. a request id written a moment ago: one peer
 * answers "duplicate", the other a fresh write). Nothing was ordered; endorsing again once the
 * lagging peer has caught up gives one answer.
 */
const PAYLOADS_DIFFER = /ProposalResponsePayloads do not match/;
const DISAGREEMENT_BACKOFF_MS = 100;

function peersDisagree(error: unknown): boolean {
  const details = (error as { details?: Array<{ message?: unknown }> })?.details;
  return (
    (Array.isArray(details) && details.some((d) => PAYLOADS_DIFFER.test(String(d?.message ?? '')))) ||
    (error instanceof Error && PAYLOADS_DIFFER.test(error.message))
  );
}

/**
 * Fabric's write path through the Gateway service, stage by stage: endorse (the gateway
 * collects what the chaincode's endorsement policy needs, from every org it names), submit
 * (to the ordering service), commit status (from the gateway peer, once the block is
 * validated and committed, and from the other peers of the orgs that endorsed it, asked at the
 * same time: a write returns once every peer it was endorsed by holds it, so the next write
 * reads it). Each stage fails with its own typed error (`stage` endorse / submit / commit)
 * that keeps Fabric's detail. A receipt is only made from the committed block itself (qscc),
 * with the transaction flagged VALID in it: nothing is reported committed that the ledger
 * does not hold.
 */
export class Transactor {
  private serviceIdentity: Uint8Array | undefined;
  /**
   * What waiting for the other endorsing peers to commit (endorser-commits.ts) has cost the
   * writes of this transactor past the gateway peer's own commit status: how many waited,
   * total and longest ms, and how often a peer could not be reached at all (not waited for).
   */
  readonly endorserCatchUp = { writes: 0, totalMs: 0, maxMs: 0, unreachable: 0 };

  constructor(private readonly d: { config: ResolvedConfig; ledger: Ledger; connection: FabricConnection }) {}

  /**
   * The gateway peer's commit status of `txId`, asked as the org's service user. The request
   * only names the transaction and authenticates the asker as a reader of the channel (the
   * peer's `gateway/CommitStatus` ACL: channel Readers); the peer's answer is the same
   * whoever asks, so the writer's key is not made to sign a third time per write. Nothing
   * rests on this answer alone: the receipt is made from the block it names, which must hold
   * the transaction flagged VALID.
   */
  async commitStatus(txId: string, deadline: number, via: Gateway = this.d.connection.service): Promise<Status> {
    const service = this.d.connection.service;
    if (!this.serviceIdentity) {
      const { mspId, credentials } = service.getIdentity();
      const identity = new msp.SerializedIdentity();
      identity.setMspid(mspId);
      identity.setIdBytes(credentials);
      this.serviceIdentity = identity.serializeBinary();
    }
    const request = new gatewayProtos.CommitStatusRequest();
    request.setTransactionId(txId);
    request.setChannelId(this.d.config.channel);
    request.setIdentity(this.serviceIdentity);
    const signed = new gatewayProtos.SignedCommitStatusRequest();
    signed.setRequest(request.serializeBinary());
    return via.newCommit(signed.serializeBinary()).getStatus({ deadline });
  }

  async transact(gateway: Gateway, fn: string, args: Array<string | Uint8Array>, o: TransactOptions): Promise<Committed> {
    const contract = gateway.getNetwork(this.d.config.channel).getContract(this.d.config.chaincode);
    for (let attempt = 1; ; attempt++) {
      if (Date.now() >= o.deadline) {
        throw new TimeoutError(`${o.what}: the deadline passed before the transaction could be endorsed`, {
          stage: 'endorse',
          detail: { framework: FRAMEWORK },
        });
      }
      const proposal = contract.newProposal(fn, {
        arguments: args,
        ...(o.endorsingOrganizations && { endorsingOrganizations: o.endorsingOrganizations }),
      });
      const txId = proposal.getTransactionId();
      let transaction;
      try {
        transaction = await proposal.endorse({ deadline: o.deadline });
      } catch (error) {
        const backoff = DISAGREEMENT_BACKOFF_MS * attempt;
        if (peersDisagree(error) && attempt < MAX_ATTEMPTS && Date.now() + backoff < o.deadline) {
          await new Promise((resolve) => setTimeout(resolve, backoff));
          continue;
        }
        throw toBsnError(error, { stage: 'endorse', what: o.what, txId });
      }
      const result = transaction.getResult();
      if (o.kvResult) {
        const answer = JSON.parse(Buffer.from(result).toString('utf8')) as { txId: string; duplicate: boolean };
        if (answer.duplicate) return { ...(await this.committed(answer.txId, o.what)), result: new Uint8Array(), duplicate: true };
      }
      const endorsers = endorsingMspIds(transaction.getBytes());
      let submitted;
      try {
        submitted = await transaction.submit({ deadline: o.deadline });
      } catch (error) {
        throw toBsnError(error, { stage: 'submit', what: o.what, txId });
      }
      const others = this.askEndorsers({ txId, endorsers, deadline: o.deadline });
      let status;
      try {
        status = await this.commitStatus(submitted.getTransactionId(), o.deadline);
      } catch (error) {
        throw toBsnError(error, { stage: 'commit', what: o.what, txId });
      }
      if (status.successful) {
        const block = Number(status.blockNumber);
        // The block is read while the other endorsing peers catch up: both must be in before the write returns.
        const [committed] = await Promise.all([
          this.committed(txId, o.what, block),
          this.awaitEndorsers(others, { txId, block, endorsers, what: o.what, deadline: o.deadline }),
        ]);
        return { ...committed, result, duplicate: false };
      }
      const name = validationCodeName(status.code);
      if (RETRYABLE.has(name) && attempt < MAX_ATTEMPTS) continue;
      throw new RejectedByChainError(
        `${o.what}: the transaction was ordered into block ${status.blockNumber} but the peers invalidated it (${name})`,
        {
          stage: 'commit',
          txId,
          detail: {
            framework: FRAMEWORK,
            code: name,
            message: `transaction ${txId} has validation code ${name}`,
            data: { validationCode: status.code, block: Number(status.blockNumber), attempts: attempt },
          },
        },
      );
    }
  }

  private askEndorsers(ask: EndorserAsk): Promise<EndorserAnswer[]> {
    const { connection, config } = this.d;
    return askEndorsers(
      {
        otherPeers: config.otherPeers,
        serviceAt: (peer) => connection.serviceAt(peer),
        commitStatus: (id, deadline, via) => this.commitStatus(id, deadline, via),
      },
      ask,
    );
  }

  private async awaitEndorsers(asked: Promise<EndorserAnswer[]>, c: CommittedOnGateway): Promise<void> {
    const { ms, unreachable } = await checkEndorserCommits(asked, c);
    this.endorserCatchUp.writes++;
    this.endorserCatchUp.totalMs += ms;
    this.endorserCatchUp.maxMs = Math.max(this.endorserCatchUp.maxMs, ms);
    this.endorserCatchUp.unreachable += unreachable.length;
  }

  /** The ledger's own record of `txId`: the block holding it, and the transaction VALID in it. */
  async committed(txId: string, what: string, blockNumber?: number): Promise<{ txId: string; block: DecodedBlock; tx: BlockTransaction }> {
    const block = blockNumber === undefined ? await this.d.ledger.blockOf(txId) : await this.d.ledger.block(blockNumber);
    const tx = block.transactions.find((t) => t.txId === txId);
    if (!tx) {
      throw new UnavailableError(`${what}: the peer reported ${txId} committed in block ${block.number}, which does not hold it`, {
        stage: 'commit',
        txId,
        detail: { framework: FRAMEWORK, data: { block: block.number } },
      });
    }
    if (!tx.valid) {
      throw new RejectedByChainError(`${what}: transaction ${txId} is on the ledger but invalid (${tx.validationName})`, {
        stage: 'commit',
        txId,
        detail: {
          framework: FRAMEWORK,
          code: tx.validationName,
          message: `validation code ${tx.validationName}`,
          data: { block: block.number },
        },
      });
    }
    return { txId, block, tx };
  }

  /** The receipt of a committed transaction: block number and hash from the block itself, its events, its timestamp. */
  receiptOf(c: Pick<Committed, 'txId' | 'block' | 'tx'>, requestId: string, result?: Uint8Array): Receipt {
    const events: ChainEvent[] = [];
    for (const e of chaincodeEventsOf(c.block, this.d.config.chaincode)) {
      if (e.tx.txId !== c.txId) continue;
      const event = chainEventOf(c.block.number, e.index, e.tx.txId, e.event.name, e.event.payload);
      if (event) events.push(event);
    }
    return {
      txId: c.txId,
      requestId,
      status: 'committed',
      block: { number: c.block.number, hash: c.block.hash },
      ...(result && result.length > 0 && { result }),
      events,
      timestamp: c.tx.timestamp,
    };
  }
}
