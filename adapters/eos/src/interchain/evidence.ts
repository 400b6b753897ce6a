/**
 * Builds the evidence that a transaction sent a packet (or, on the target, delivered one with its
 * ack or recorded its timeout): its receipt in an irreversible block,
 * that block and the blocks built on it until a quorum of the current schedule signed one, and
 * the block-root merkle the first was signed over. The evidence is checked with this adapter's
 * own verifier before it is handed out, against the roots a node connected here would pin.
 */
import {
  InvalidInputError,
  NotFoundError,
  UnavailableError,
  checkEvidenceSubject,
  packetId,
  type Evidence,
  type TrustRoots,
} from '@bsn/contract';
import { blockIdOf, transactionId, unpackTransaction } from '../antelope/index.js';
import { toBsnError } from '../errors.js';
import { FRAMEWORK } from '../framework.js';
import { checkTxId } from '../lookups.js';
import type { NodeApi, RawBlock } from '../node-api.js';
import { presetAbi } from '../preset-abi.js';
import type { BlockRoots } from './block-roots.js';
import { MAX_DESCENDANTS, type EosProof, type SignedHeader } from './proof.js';
import { checkRoots } from './trust.js';
import { subjectRecord } from './subject-action.js';
import { verifyEosEvidence } from './verify.js';

/** How long evidence waits for the blocks that make the packet block irreversible to be produced. */
const DESCENDANTS_WAIT_MS = 30_000;

const headerOf = (block: RawBlock): SignedHeader => {
  const { transactions: _, ...header } = block as RawBlock & { block_extensions?: unknown };
  delete (header as { block_extensions?: unknown }).block_extensions;
  return header;
};

export class EvidenceBuilder {
  constructor(
    private readonly api: NodeApi,
    private readonly roots: BlockRoots,
    private readonly chain: string,
    private readonly contract: string,
    /** The roots a node connected here would pin (no attesters): the self-check. */
    private readonly ownRoots: () => Promise<TrustRoots>,
  ) {}

  async evidence(txId: string, subject: Evidence['subject']): Promise<Evidence> {
    const wanted: Evidence['subject'] = checkEvidenceSubject(subject, ['packet', 'ack', 'timeout']);
    const id = checkTxId(txId);
    try {
      const status = await this.api.transactionStatus(id);
      if (status.state !== 'IRREVERSIBLE' || status.block_number === undefined) {
        throw new NotFoundError(`transaction ${id} is not in an irreversible block (state ${status.state})`, {
          stage: 'query',
          field: '/txId',
        });
      }
      const number = status.block_number;
      const block = await this.api.rawBlock(number);
      const txIndex = block.transactions.findIndex(
        (r) => r.trx[0] === 1 && transactionId(Uint8Array.from(Buffer.from(r.trx[1].packed_trx, 'hex'))) === id,
      );
      if (txIndex < 0) throw new NotFoundError(`block ${number} does not hold transaction ${id}`, { stage: 'query', field: '/txId' });
      const receipt = block.transactions[txIndex]!.trx as [1, { packed_trx: string }];
      const actions = unpackTransaction(Uint8Array.from(Buffer.from(receipt[1].packed_trx, 'hex'))).actions;
      const abi = presetAbi();
      const actionIndex = actions.findIndex((a) => {
        if (a.account !== this.contract) return false;
        try {
          const record = subjectRecord(wanted.kind, abi, a.name, a.data);
          return record !== undefined && packetId(record.packet) === wanted.packetId;
        } catch {
          return false;
        }
      });
      if (actionIndex < 0) {
        throw new InvalidInputError(`/subject/packetId: transaction ${id} recorded no ${wanted.kind} of packet ${wanted.packetId}`, {
          field: '/subject/packetId',
        });
      }
      const trust = await this.ownRoots();
      const check = checkRoots(trust);
      if (!check.ok) throw new Error(check.reason);
      const head = await this.api.info();
      const scheduleHash = (await this.api.blockHeaderState(head.head_block_num)).pending_schedule.schedule_hash;
      const proof: EosProof = {
        header: headerOf(block),
        blockRoot: await this.roots.stateOf(number),
        scheduleHash,
        descendants: await this.descendants(number, check.quorum),
        receipts: block.transactions,
        txIndex,
        actionIndex,
      };
      const evidence: Evidence = {
        v: 1,
        framework: FRAMEWORK,
        chain: this.chain,
        subject: wanted,
        txId: id,
        block: number,
        blockHash: blockIdOf(proof.header),
        proof: proof as unknown as Record<string, unknown>,
      };
      const verdict = await verifyEosEvidence(evidence, trust);
      if (verdict.state !== 'proven') {
        throw new UnavailableError(`the evidence built for ${id} does not verify: ${verdict.reason}`, {
          stage: 'query',
          detail: { framework: FRAMEWORK, message: verdict.reason },
        });
      }
      return evidence;
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `evidence of ${id}` });
    }
  }

  /** The blocks after `number` until `quorum` distinct producers signed one (waiting for them to be produced). */
  private async descendants(number: number, quorum: number): Promise<SignedHeader[]> {
    const headers: SignedHeader[] = [];
    const producers = new Set<string>();
    const deadline = Date.now() + DESCENDANTS_WAIT_MS;
    for (let n = number + 1; producers.size < quorum; n++) {
      if (headers.length >= MAX_DESCENDANTS) {
        throw new UnavailableError(`block ${number} is not built on by ${quorum} producers within ${MAX_DESCENDANTS} blocks`, {
          stage: 'query',
        });
      }
      while ((await this.api.info()).head_block_num < n) {
        if (Date.now() > deadline) throw new UnavailableError(`block ${n} was not produced in time`, { stage: 'query' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const header = headerOf(await this.api.rawBlock(n));
      headers.push(header);
      producers.add(header.producer);
    }
    return headers;
  }
}
