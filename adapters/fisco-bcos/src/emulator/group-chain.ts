import { concat } from '../protocol/big-endian.js';
import { blockHash, type BlockHeaderFields } from '../protocol/block-header.js';
import { cryptoSuite, type CryptoMode, type CryptoSuite } from '../protocol/crypto-suite.js';
import { merkleRoot } from '../protocol/merkle.js';
import { receiptHash, type ReceiptFields } from '../protocol/receipt.js';
import { admit, type AdmittedTransaction } from './admission.js';
import { FiscoEvm } from './fisco-evm.js';
import { genesisHeader } from './genesis.js';
import { Ledger, type SealedBlock, type SealedTransaction } from './ledger.js';
import { COMPATIBILITY_VERSION, versionNumber } from './node-identity.js';
import { SealerCommittee } from './sealer-committee.js';

export interface ChainOptions {
  mode: CryptoMode;
  chainId?: string;
  groupId?: string;
  /** DEFAULT_BLOCK_LIMIT of bcos-txpool: 600. */
  blockLimitWindow?: number;
  /** `tx_count_limit`: at most this many transactions per block. */
  txCountLimit?: number;
  /** Sealer keys (default: 4 fresh ones). */
  sealerKeys?: Uint8Array[];
  /**
   * How long the first pending transaction waits for others to share its block (a node's
   * `min_seal_time`, 500 ms by default on FISCO; short here so a test chain stays quick).
   */
  sealDelayMs?: number;
}

interface Waiting extends AdmittedTransaction {
  importTime: number;
  resolve(sealed: { block: SealedBlock; index: number }): void;
  reject(error: unknown): void;
}

/**
 * One group of an emulated FISCO BCOS 3.x chain: admission (the txpool's checks), execution
 * in the EVM, and sealing. Transactions that arrive while a block is being made go into the
 * next one (up to `tx_count_limit`), so a busy chain seals many per block and an idle one
 * seals each at once; every block is signed by a quorum of the sealer committee before
 * anything waiting on it is answered: a receipt exists only for a committed block.
 */
export class GroupChain {
  readonly suite: CryptoSuite;
  readonly chainId: string;
  readonly groupId: string;
  readonly ledger: Ledger;
  readonly committee: SealerCommittee;
  private readonly blockLimitWindow: number;
  private readonly txCountLimit: number;
  private readonly sealDelayMs: number;
  private readonly pending = new Map<string, Waiting>();
  private readonly pendingNonces = new Set<string>();
  private sealing = false;

  private constructor(
    options: ChainOptions,
    readonly evm: FiscoEvm,
  ) {
    this.suite = cryptoSuite(options.mode);
    this.chainId = options.chainId ?? 'chain0';
    this.groupId = options.groupId ?? 'group0';
    this.blockLimitWindow = options.blockLimitWindow ?? 600;
    this.txCountLimit = options.txCountLimit ?? 1000;
    this.sealDelayMs = options.sealDelayMs ?? 5;
    this.ledger = new Ledger(this.blockLimitWindow);
    this.committee = new SealerCommittee(this.suite, 4, options.sealerKeys);
    const header = genesisHeader({ mode: options.mode, chainId: this.chainId, groupId: this.groupId, sealers: this.committee.nodeIds() });
    const hash = blockHash(this.suite, header);
    this.ledger.append({ header, hash, id: hexId(hash), signatureList: [], transactions: [], receipts: [] });
  }

  static async create(options: ChainOptions): Promise<GroupChain> {
    return new GroupChain(options, await FiscoEvm.create(cryptoSuite(options.mode)));
  }

  get mode(): CryptoMode {
    return this.suite.mode;
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Admits a raw transaction (throwing the node's refusal) and resolves once its block is committed. */
  submit(raw: Uint8Array): Promise<{ block: SealedBlock; index: number }> {
    const admitted = admit(
      raw,
      { suite: this.suite, chainId: this.chainId, groupId: this.groupId, blockLimitWindow: this.blockLimitWindow },
      this.ledger,
      { has: (id) => this.pending.has(id), nonceUsed: (nonce) => this.pendingNonces.has(nonce) },
    );
    return new Promise((resolve, reject) => {
      this.pending.set(admitted.id, { ...admitted, importTime: Date.now(), resolve, reject });
      this.pendingNonces.add(admitted.tx.data.nonce);
      this.scheduleSeal();
    });
  }

  /** A read-only call against the head state. */
  call(to: Uint8Array, input: Uint8Array, from?: Uint8Array): Promise<{ status: number; output: Uint8Array; blockNumber: number }> {
    const head = this.ledger.head().header;
    return this.evm
      .call(to, input, { blockNumber: head.number, contextId: 0, timestamp: head.timestamp }, from)
      .then((r) => ({ ...r, blockNumber: head.number }));
  }

  private scheduleSeal(): void {
    if (this.sealing) return;
    this.sealing = true;
    // Let the transactions that arrive meanwhile join the same block.
    setTimeout(() => {
      this.sealLoop().finally(() => {
        this.sealing = false;
        if (this.pending.size) this.scheduleSeal();
      });
    }, this.sealDelayMs);
  }

  private async sealLoop(): Promise<void> {
    while (this.pending.size) {
      const batch = [...this.pending.values()].slice(0, this.txCountLimit);
      try {
        const block = await this.seal(batch);
        batch.forEach((w, index) => w.resolve({ block, index }));
      } catch (error) {
        for (const w of batch) w.reject(error);
      } finally {
        for (const w of batch) {
          this.pending.delete(w.id);
          this.pendingNonces.delete(w.tx.data.nonce);
        }
      }
    }
  }

  private async seal(batch: Waiting[]): Promise<SealedBlock> {
    const parent = this.ledger.head();
    const number = parent.header.number + 1;
    const timestamp = Math.max(Date.now(), parent.header.timestamp + 1);
    const transactions: SealedTransaction[] = [];
    const receipts: SealedBlock['receipts'] = [];
    let gasUsed = 0n;
    for (const [contextId, w] of batch.entries()) {
      const to = w.tx.data.to ? Uint8Array.from(Buffer.from(w.tx.data.to.replace(/^0x/, ''), 'hex')) : undefined;
      const result = await this.evm.execute(
        { sender: Uint8Array.from(Buffer.from(w.sender.slice(2), 'hex')), ...(to && { to }), input: w.tx.data.input },
        { blockNumber: number, contextId, timestamp },
      );
      gasUsed += result.gasUsed;
      const fields: ReceiptFields = {
        version: 0,
        gasUsed: result.gasUsed.toString(),
        contractAddress: result.contractAddress,
        status: result.status,
        output: result.output,
        logEntries: result.logs,
        blockNumber: number,
      };
      transactions.push({ hash: w.hash, id: w.id, tx: w.tx, sender: w.sender, importTime: w.importTime });
      receipts.push({ fields, hash: receiptHash(this.suite, fields) });
    }
    const txsRoot = merkleRoot(
      this.suite,
      transactions.map((t) => t.hash),
    );
    const receiptsRoot = merkleRoot(
      this.suite,
      receipts.map((r) => r.hash),
    );
    const leader = this.committee.leaderOf(number);
    const header: BlockHeaderFields = {
      version: versionNumber(COMPATIBILITY_VERSION),
      parentInfo: [{ blockNumber: parent.header.number, blockHash: parent.hash }],
      txsRoot,
      receiptsRoot,
      // Not FISCO's state root (that hashes the storage changes of the block): a commitment
      // chained over the receipts, so the header still changes with the state. Documented.
      stateRoot: this.suite.hash(concat([parent.header.stateRoot, receiptsRoot])),
      number,
      gasUsed: gasUsed.toString(),
      timestamp,
      sealer: leader,
      sealerList: this.committee.nodeIds(),
      extraData: new Uint8Array(0),
      consensusWeights: this.committee.nodeIds().map(() => 1),
    };
    const hash = blockHash(this.suite, header);
    const block: SealedBlock = {
      header,
      hash,
      id: hexId(hash),
      signatureList: this.committee.sign(hash, leader),
      transactions,
      receipts,
    };
    this.ledger.append(block);
    return block;
  }
}

const hexId = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
