import { common } from '@hyperledger/fabric-protos';
import { NotFoundError } from '@bsn/contract';
import { decodeBlock, type DecodedBlock } from './blocks.js';
import type { ResolvedConfig } from './config.js';
import type { FabricConnection } from './connection.js';
import { toBsnError } from './errors.js';

const CACHED_BLOCKS = 512;
const MISSING = /no such (block|transaction)|not found|Entry not found/i;

/**
 * The channel's ledger through the peer's query system chaincode (qscc), as the org's
 * service user: chain height, blocks by number, the block holding a transaction. Blocks are
 * immutable once committed, so decoded blocks are cached.
 */
export class Ledger {
  private readonly blocks = new Map<number, DecodedBlock>();
  private readonly txBlocks = new Map<string, number>();
  /**
   * Fetches in flight, by block number: the writes that commit in one block all ask for it at
   * the moment the peer reports their status, and one qscc query and one decode serve them all.
   */
  private readonly fetching = new Map<number, Promise<DecodedBlock>>();

  constructor(private readonly d: { config: ResolvedConfig; connection: FabricConnection }) {}

  private async qscc(fn: string, args: string[], what: string): Promise<Uint8Array> {
    const contract = this.d.connection.service.getNetwork(this.d.config.channel).getContract('qscc');
    try {
      return await contract.evaluateTransaction(fn, this.d.config.channel, ...args);
    } catch (error) {
      const typed = toBsnError(error, { stage: 'query', what });
      const message = String(typed.detail?.message ?? typed.message);
      if (typed.code !== 'UNAVAILABLE' && typed.code !== 'TIMEOUT' && MISSING.test(message)) {
        throw new NotFoundError(`${what}: not on the ledger`, {
          stage: 'query',
          cause: error,
          ...(typed.detail && { detail: typed.detail }),
        });
      }
      throw typed;
    }
  }

  /** Height (number of blocks) and the newest block's hash, as the gateway peer reports them. */
  async info(): Promise<{ height: number; currentBlockHash: string }> {
    const bytes = await this.qscc('GetChainInfo', [], `chain info of ${this.d.config.channel}`);
    const info = common.BlockchainInfo.deserializeBinary(bytes);
    return { height: Number(info.getHeight()), currentBlockHash: Buffer.from(info.getCurrentblockhash_asU8()).toString('hex') };
  }

  private remember(block: DecodedBlock): DecodedBlock {
    this.blocks.set(block.number, block);
    for (const tx of block.transactions) if (tx.txId) this.txBlocks.set(tx.txId, block.number);
    if (this.blocks.size > CACHED_BLOCKS) {
      const oldest = this.blocks.keys().next().value as number;
      const evicted = this.blocks.get(oldest);
      this.blocks.delete(oldest);
      for (const tx of evicted?.transactions ?? []) if (this.txBlocks.get(tx.txId) === oldest) this.txBlocks.delete(tx.txId);
    }
    return block;
  }

  async block(number: number): Promise<DecodedBlock> {
    const cached = this.blocks.get(number);
    if (cached) return cached;
    const inFlight = this.fetching.get(number);
    if (inFlight) return inFlight;
    const fetch = (async () => {
      try {
        const bytes = await this.qscc('GetBlockByNumber', [String(number)], `block ${number}`);
        return this.remember(this.decode(bytes, `block ${number}`));
      } finally {
        this.fetching.delete(number);
      }
    })();
    this.fetching.set(number, fetch);
    return fetch;
  }

  /**
   * A block's bytes exactly as the peer's ledger holds them (`common.Block`, with the orderer's
   * signatures and this peer's validation flags): what interchain evidence carries. Not cached.
   */
  async blockBytes(number: number): Promise<Uint8Array> {
    const bytes = await this.qscc('GetBlockByNumber', [String(number)], `block ${number}`);
    this.remember(this.decode(bytes, `block ${number}`));
    return bytes;
  }

  /** The block that holds `txId` (valid or not). NotFoundError when the ledger has no such transaction. */
  async blockOf(txId: string): Promise<DecodedBlock> {
    const known = this.txBlocks.get(txId);
    if (known !== undefined) return this.block(known);
    const bytes = await this.qscc('GetBlockByTxID', [txId], `transaction ${txId}`);
    return this.remember(this.decode(bytes, `the block of ${txId}`));
  }

  /** Takes a block the adapter already has (e.g. from the deliver service). */
  add(block: DecodedBlock): DecodedBlock {
    return this.blocks.get(block.number) ?? this.remember(block);
  }

  private decode(bytes: Uint8Array, what: string): DecodedBlock {
    try {
      return decodeBlock(bytes);
    } catch (cause) {
      throw toBsnError(new Error(`${what} cannot be decoded: ${cause instanceof Error ? cause.message : String(cause)}`), {
        stage: 'query',
      });
    }
  }
}
