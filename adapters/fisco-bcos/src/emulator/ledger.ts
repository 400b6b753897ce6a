import type { BlockHeaderFields, SealerSignature } from '../protocol/block-header.js';
import type { ReceiptFields } from '../protocol/receipt.js';
import type { DecodedTransaction } from '../protocol/transaction-codec.js';

export interface SealedTransaction {
  hash: Uint8Array;
  /** 0x-prefixed lowercase: the key every look-up uses. */
  id: string;
  tx: DecodedTransaction;
  /** 0x-prefixed lowercase address recovered from the signature. */
  sender: string;
  importTime: number;
}

export interface SealedReceipt {
  fields: ReceiptFields;
  hash: Uint8Array;
}

export interface SealedBlock {
  header: BlockHeaderFields;
  hash: Uint8Array;
  id: string;
  signatureList: SealerSignature[];
  transactions: SealedTransaction[];
  receipts: SealedReceipt[];
}

/**
 * The committed chain of one group: blocks, where each transaction went, the nonces of the
 * blockLimit window (a nonce is refused again while its block is within the window) and the
 * ABIs deploys carried (`getABI`).
 */
export class Ledger {
  private readonly blocks: SealedBlock[] = [];
  private readonly byHash = new Map<string, number>();
  private readonly txIndex = new Map<string, { block: number; index: number }>();
  private readonly nonces = new Map<string, number>();
  private readonly abis = new Map<string, string>();
  private failedCount = 0;
  private txCount = 0;

  constructor(private readonly nonceWindow: number) {}

  append(block: SealedBlock): void {
    const number = block.header.number;
    if (number !== this.blocks.length) throw new Error(`block ${number} appended at height ${this.blocks.length}`);
    this.blocks.push(block);
    this.byHash.set(block.id, number);
    block.transactions.forEach((t, index) => {
      this.txIndex.set(t.id, { block: number, index });
      this.nonces.set(t.tx.data.nonce, number);
      const receipt = block.receipts[index]!.fields;
      if (receipt.status !== 0) this.failedCount++;
      if (receipt.contractAddress && t.tx.data.abi) this.abis.set(receipt.contractAddress, t.tx.data.abi);
    });
    this.txCount += block.transactions.length;
    // Nonces older than the window can never collide again: the blockLimit check refuses their transactions first.
    for (const [nonce, at] of this.nonces) {
      if (at > number - this.nonceWindow) break;
      this.nonces.delete(nonce);
    }
  }

  height(): number {
    return this.blocks.length - 1;
  }

  head(): SealedBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  block(number: number): SealedBlock | undefined {
    return Number.isSafeInteger(number) ? this.blocks[number] : undefined;
  }

  blockByHash(id: string): SealedBlock | undefined {
    const n = this.byHash.get(id.toLowerCase());
    return n === undefined ? undefined : this.blocks[n];
  }

  locate(txId: string): { block: SealedBlock; index: number } | undefined {
    const at = this.txIndex.get(txId.toLowerCase());
    return at && { block: this.blocks[at.block]!, index: at.index };
  }

  nonceUsed(nonce: string): boolean {
    return this.nonces.has(nonce);
  }

  abiOf(address: string): string {
    return this.abis.get(address) ?? '';
  }

  counts(): { transactionCount: number; failedTransactionCount: number } {
    return { transactionCount: this.txCount, failedTransactionCount: this.failedCount };
  }
}
