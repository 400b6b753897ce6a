import { Transaction, keccak256 } from 'ethers';
import { RejectedByChainError, type BsnError, type FailureStage, type Signer } from '@bsn/contract';
import { num, type ChainReader, type RawReceipt } from './chain.js';
import { FRAMEWORK } from './describe.js';
import { isRevert, toBsnError } from './errors.js';
import type { Finality } from './finality.js';
import type { NonceManager } from './nonce-manager.js';
import { addressOf, signTransaction } from './signer-bridge.js';

/** A contract call or deployment (no `to`) to send. */
export interface TxRequest {
  to?: string;
  data: string;
  value?: bigint;
  /** Skip estimation (plain transfers). */
  gasLimit?: bigint;
  /** What is being done, for error messages. */
  what: string;
}

/** EIP-7825 (Osaka) caps a transaction's gas at 2^24; no tx of ours needs more. */
const TX_GAS_CAP = 16_777_216n;
const FEE_CACHE_MS = 1_000;

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

interface ChainParams {
  fees: Fees;
  /** Gas limit of the latest block: no transaction may ask for more. */
  blockGasLimit: bigint;
}

/**
 * Builds, signs (through a core Signer), broadcasts (through the nonce manager) and waits
 * for Ethereum transactions. Everything that can be refused is refused before a nonce is
 * used: gas estimation runs the call against the latest state first and its revert is
 * decoded into the typed error, so a write the contract would refuse never reaches a block.
 */
export class TxSender {
  private params?: { at: number; value: ChainParams };
  /** The fetch in flight, shared by every caller that finds the cache stale meanwhile. */
  private paramsFetch?: Promise<ChainParams>;

  constructor(
    private readonly chain: ChainReader,
    private readonly nonces: NonceManager,
    private readonly finality: Finality,
    readonly chainId: number,
    private readonly submitTimeoutMs: number,
  ) {}

  private chainParams(): Promise<ChainParams> {
    if (this.params && Date.now() - this.params.at < FEE_CACHE_MS) return Promise.resolve(this.params.value);
    this.paramsFetch ??= this.fetchParams().finally(() => {
      this.paramsFetch = undefined;
    });
    return this.paramsFetch;
  }

  private async fetchParams(): Promise<ChainParams> {
    const [latest, tip] = await Promise.all([
      this.chain.block('latest'),
      this.chain.rpc.call<string>('eth_maxPriorityFeePerGas').then(BigInt, () => 1_000_000_000n),
    ]);
    const baseFee = latest?.baseFeePerGas ? BigInt(latest.baseFeePerGas) : 0n;
    // Twice the base fee rides out six full blocks of +12.5 % before the tx is underpriced.
    const value = {
      fees: { maxPriorityFeePerGas: tip, maxFeePerGas: baseFee * 2n + tip },
      blockGasLimit: latest?.gasLimit ? BigInt(latest.gasLimit) : TX_GAS_CAP,
    };
    this.params = { at: Date.now(), value };
    return value;
  }

  /** Gas for `req` from `from`, with headroom; a revert here is the contract refusing (typed error). */
  async estimate(from: string, req: TxRequest, stage: FailureStage = 'prepare'): Promise<bigint> {
    if (req.gasLimit) return req.gasLimit;
    let estimate: bigint;
    try {
      const call: Record<string, string> = { from, data: req.data };
      if (req.to) call.to = req.to;
      if (req.value) call.value = '0x' + req.value.toString(16);
      estimate = BigInt(await this.chain.rpc.call<string>('eth_estimateGas', [call]));
    } catch (error) {
      throw toBsnError(error, { stage, what: req.what });
    }
    // Headroom: state can change between estimate and execution (a key created meanwhile, a
    // concurrent write from the same sender); unused gas is not charged.
    const { blockGasLimit } = await this.chainParams();
    const cap = blockGasLimit < TX_GAS_CAP ? blockGasLimit : TX_GAS_CAP;
    const padded = (estimate * 13n) / 10n + 50_000n;
    return padded > cap ? (estimate > cap ? estimate : cap) : padded;
  }

  /** An unsigned EIP-1559 transaction. */
  async unsigned(from: string, req: TxRequest, nonce: number): Promise<Transaction> {
    const [gasLimit, { fees }] = await Promise.all([this.estimate(from, req), this.chainParams()]);
    return Transaction.from({
      type: 2,
      chainId: BigInt(this.chainId),
      nonce,
      to: req.to ?? null,
      data: req.data,
      value: req.value ?? 0n,
      gasLimit,
      ...fees,
    });
  }

  /**
   * Sends `value` wei from the faucet to `to` and waits for inclusion (enough for the balance
   * to be spendable); `to`'s next broadcasts may then meet a pool still on the old head.
   */
  async fund(faucet: Signer, to: string, value: bigint, what: string): Promise<void> {
    await this.send({ to, data: '0x', value, gasLimit: 21_000n, what }, faucet, { wait: 'mined' });
    this.nonces.funded(to);
  }

  /**
   * Signs and sends `req` with `signer`, then waits: `final` (mined, `confirmations` deep,
   * canonical) or `mined`. A reverted transaction becomes the typed error of its revert.
   */
  async send(req: TxRequest, signer: Signer, opts: { wait: 'final' | 'mined'; timeoutMs?: number }): Promise<RawReceipt> {
    const from = addressOf(signer.publicKey, '/signer/publicKey');
    const deadline = Date.now() + (opts.timeoutMs ?? this.submitTimeoutMs);
    // Estimation and signing run outside the sender's nonce lock; its place in line is taken now.
    const sent = await this.nonces.send(
      from,
      async () => {
        const [gasLimit, { fees }] = await Promise.all([this.estimate(from, req), this.chainParams()]);
        return { gasLimit, fees };
      },
      async (nonce, { gasLimit, fees }) => {
        const tx = Transaction.from({
          type: 2,
          chainId: BigInt(this.chainId),
          nonce,
          to: req.to ?? null,
          data: req.data,
          value: req.value ?? 0n,
          gasLimit,
          ...fees,
        });
        // signTransaction refuses (UnauthorizedError) a signature that does not recover to `from`.
        const raw = (await signTransaction(tx, signer, from)).serialized;
        return { hash: keccak256(raw), raw };
      },
    );
    return this.await(
      sent.hash,
      { to: req.to, data: req.data, from, gasLimit: sent.prepared.gasLimit, what: req.what },
      opts.wait,
      deadline,
    );
  }

  /** Waits for a broadcast transaction and checks its status. */
  async await(
    txId: string,
    call: { to?: string; data: string; from: string; gasLimit: bigint; what: string },
    wait: 'final' | 'mined',
    deadline: number,
  ): Promise<RawReceipt> {
    const receipt = wait === 'final' ? await this.finality.final(txId, deadline) : await this.finality.mined(txId, deadline);
    if (receipt.status !== '0x1') throw await this.diagnose(receipt, call);
    return receipt;
  }

  /**
   * Why a mined transaction failed: replays the call on the state at its block to recover
   * the revert data (nodes do not keep it in receipts), else tells out-of-gas apart.
   */
  async diagnose(
    receipt: RawReceipt,
    call: { to?: string; data: string; from: string; gasLimit: bigint; what: string },
  ): Promise<BsnError> {
    const txId = receipt.transactionHash;
    const ctx = { stage: 'commit' as const, txId, what: call.what };
    if (call.to) {
      try {
        await this.chain.call({ from: call.from, to: call.to, data: call.data }, num(receipt.blockNumber));
      } catch (error) {
        if (isRevert(error)) return toBsnError(error, ctx);
      }
    }
    const outOfGas = BigInt(receipt.gasUsed) >= call.gasLimit;
    return new RejectedByChainError(`${call.what}: the transaction failed on chain${outOfGas ? ' (out of gas)' : ''}`, {
      stage: 'commit',
      txId,
      detail: {
        framework: FRAMEWORK,
        code: receipt.status,
        message: outOfGas ? 'out of gas' : 'status 0x0',
        data: { txId, gasUsed: receipt.gasUsed, gasLimit: call.gasLimit.toString() },
      },
    });
  }
}
