/**
 * Signing and sending: the body an account signs, the signed transaction the node takes, and
 * the receipt the contract promises (returned once the block is sealed: this chain's finality
 * is immediate). A framework with probabilistic finality waits for its depth here.
 */
import { fromBase64, fromHex, toHex, type ChainEvent, type CompactSignature, type Receipt, type Signer } from '@bsn/contract';
import type { NodeClient } from './node-client.js';
import { txDigest, type LedgerEvent, type Operation, type Sealed, type SignedTx, type TxBody } from './node-protocol.js';

export const chainEventOf = (e: LedgerEvent): ChainEvent => ({
  app: e.app,
  name: e.name,
  payload: fromBase64(e.payload),
  txId: e.txId,
  checkpoint: { block: e.block, index: e.index },
});

export function receiptOf(sealed: Sealed, requestId: string): Receipt {
  return {
    txId: sealed.tx.txId,
    requestId,
    status: 'committed',
    block: { number: sealed.block.number, hash: sealed.block.hash },
    events: sealed.tx.events.map(chainEventOf),
    timestamp: sealed.block.timestamp,
  };
}

export class Transactions {
  constructor(
    private readonly node: NodeClient,
    private readonly chain: string,
  ) {}

  body(app: string, requestId: string, operation: Operation): TxBody {
    return { v: 1, chain: this.chain, app, requestId, ...operation };
  }

  /** Hosted-key mode: the signer signs the body's digest here. */
  async signAndSend(body: TxBody, signer: Signer, what: string): Promise<Sealed> {
    const signature = await signer.signDigest(fromHex(txDigest(body)));
    return this.send(body, signer.algorithm, toHex(signer.publicKey), signature, what);
  }

  /** User-key mode: the client signed the digest; the node checks it like any other. */
  send(body: TxBody, algorithm: SignedTx['algorithm'], publicKey: string, signature: CompactSignature, what: string): Promise<Sealed> {
    const tx: SignedTx = { body, algorithm, publicKey, signature: toHex(signature.compact) };
    return this.node.call<Sealed>('submit', { tx }, 'submit', what);
  }
}
