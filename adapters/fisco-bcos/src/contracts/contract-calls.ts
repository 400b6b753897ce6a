import type { ErrorContext } from '@bsn/contract';
import type { Result } from 'ethers';
import { receiptFailure, toBsnError } from '../errors.js';
import { hexToBytes, type ChainReader } from '../node/chain-reader.js';
import type { ReceiptJson } from '../node/node-json.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import { appInterface, registryInterface } from './abi.js';
import { ChainAbi, type DecodedRevert } from './chain-abi.js';

/**
 * The BSN contracts on this chain: their ABIs under the chain's hash, read-only calls that
 * decode results, and the refusal of a failed receipt decoded against every BSN error.
 */
export class ContractCalls {
  readonly app: ChainAbi;
  readonly registry: ChainAbi;

  constructor(
    readonly suite: CryptoSuite,
    private readonly chain: ChainReader,
  ) {
    this.app = new ChainAbi(suite, appInterface);
    this.registry = new ChainAbi(suite, registryInterface);
  }

  /** A `call` of a view; a revert is the typed error its BSN error name says (stage `query`). */
  async view(abi: ChainAbi, address: string, fn: string, args: readonly unknown[], what: string): Promise<Result> {
    let r: { status: number; output: Uint8Array };
    try {
      r = await this.chain.call(address, abi.encode(fn, args));
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what });
    }
    if (r.status !== 0)
      throw receiptFailure(r.status, this.revertOf(r.output), '0x' + Buffer.from(r.output).toString('hex'), { stage: 'query', what });
    return abi.decodeResult(fn, r.output);
  }

  revertOf(output: Uint8Array): DecodedRevert | undefined {
    return this.app.decodeRevert(output) ?? this.registry.decodeRevert(output);
  }

  /** Throws the typed error of a receipt whose status is not 0 (stage `commit`, the transaction id kept). */
  check(receipt: ReceiptJson, ctx: Omit<ErrorContext, 'stage' | 'txId'>): ReceiptJson {
    if (receipt.status === 0) return receipt;
    throw receiptFailure(receipt.status, this.revertOf(hexToBytes(receipt.output)), receipt.output, {
      ...ctx,
      stage: 'commit',
      txId: receipt.transactionHash,
    });
  }
}
