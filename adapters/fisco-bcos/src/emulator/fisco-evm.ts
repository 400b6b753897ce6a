import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { EVM, createEVM, type EVMOpts } from '@ethereumjs/evm';
import { SimpleStateManager } from '@ethereumjs/statemanager';
import { Address, createZeroAddress } from '@ethereumjs/util';
import { contractAddress, create2Address } from '../protocol/contract-address.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import type { ReceiptLog } from '../protocol/receipt.js';
import { failureOf } from './execution-status.js';

/** Where in the chain a transaction runs: FISCO's contract addresses depend on it. */
export interface ExecutionContext {
  blockNumber: number;
  /** The transaction's index in its block. */
  contextId: number;
  /** Block timestamp, ms (FISCO's `block.timestamp` is in milliseconds). */
  timestamp: number;
}

export interface ExecutionResult {
  status: number;
  output: Uint8Array;
  gasUsed: bigint;
  /** Lowercase hex without 0x, empty unless a contract was deployed. */
  contractAddress: string;
  logs: ReceiptLog[];
}

/** FISCO's block gas limit per transaction (genesis `tx.gas_limit`, 3 000 000 000 by default). */
export const TX_GAS_LIMIT = 3_000_000_000n;

/**
 * The ethereumjs EVM (Cancun rules, the new FISCO executor's revision) made to behave like a
 * FISCO BCOS 3.x executor where FISCO differs from Ethereum:
 *  - the chain's hash (SM3 in SM mode) for the KECCAK256 opcode and code hashes
 *    (`customCrypto.keccak256`, which the state manager uses too);
 *  - FISCO's contract addresses: H("{block}_{contextID}_{seq}") for CREATE, seq 0 for the
 *    deploy and 1, 2… for creates inside it; CREATE2 with the chain's hash;
 *  - no fees, no balances, no account nonces for BCOS transactions.
 * Gas is Ethereum's, not FISCO's: `gasUsed` is not faithful (FISCO meters differently).
 */
export class FiscoEvm {
  private context: ExecutionContext = { blockNumber: 0, contextId: 0, timestamp: 0 };
  private createSeq = 0;
  private readonly addresses = new WeakMap<object, Address>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly suite: CryptoSuite,
    private readonly evm: EVM,
  ) {}

  static async create(suite: CryptoSuite): Promise<FiscoEvm> {
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: { keccak256: (d) => suite.hash(d) } });
    const stateManager = new SimpleStateManager({ common });
    const evm = await createEVM({ common, stateManager } as EVMOpts);
    const fisco = new FiscoEvm(suite, evm);
    // FISCO's address rule replaces Ethereum's sender/nonce one. ethereumjs may ask twice for
    // one message (to warm it, then to create it): the answer is kept per message.
    (evm as unknown as { _generateAddress: (m: CreateMessage) => Promise<Address> })._generateAddress = async (message) =>
      fisco.addressFor(message);
    return fisco;
  }

  /** Runs one transaction and keeps its state changes (none if it failed). */
  execute(tx: { sender: Uint8Array; to?: Uint8Array; input: Uint8Array }, context: ExecutionContext): Promise<ExecutionResult> {
    return this.serial(async () => {
      this.context = context;
      this.createSeq = 0;
      const caller = new Address(tx.sender);
      const result = await this.evm.runCall({
        caller,
        origin: caller,
        ...(tx.to && { to: new Address(tx.to) }),
        data: tx.input,
        gasLimit: TX_GAS_LIMIT,
        skipBalance: true,
        skipNonceIncrement: true,
        block: this.block(context),
      });
      const exec = result.execResult;
      const gasUsed = exec.executionGasUsed;
      if (exec.exceptionError) {
        return { ...failureOf(this.suite, exec.exceptionError.error, exec.returnValue), gasUsed, contractAddress: '', logs: [] };
      }
      return {
        status: 0,
        output: tx.to ? exec.returnValue : new Uint8Array(0),
        gasUsed,
        contractAddress: result.createdAddress ? hex(result.createdAddress.bytes) : '',
        logs: (exec.logs ?? []).map(([address, topics, data]) => ({ address: hex(address), topics, data })),
      };
    });
  }

  /** A read-only call (the node's `call`): whatever it writes is thrown away. */
  call(to: Uint8Array, input: Uint8Array, context: ExecutionContext, from?: Uint8Array): Promise<{ status: number; output: Uint8Array }> {
    return this.serial(async () => {
      this.context = context;
      this.createSeq = 0;
      const sm = this.evm.stateManager;
      await sm.checkpoint();
      try {
        const caller = from ? new Address(from) : createZeroAddress();
        const result = await this.evm.runCall({
          caller,
          origin: caller,
          to: new Address(to),
          data: input,
          gasLimit: TX_GAS_LIMIT,
          skipBalance: true,
          skipNonceIncrement: true,
          block: this.block(context),
        });
        const exec = result.execResult;
        if (exec.exceptionError) return failureOf(this.suite, exec.exceptionError.error, exec.returnValue);
        return { status: 0, output: exec.returnValue };
      } finally {
        await sm.revert();
      }
    });
  }

  code(address: Uint8Array): Promise<Uint8Array> {
    return this.serial(() => this.evm.stateManager.getCode(new Address(address)));
  }

  private addressFor(message: CreateMessage): Address {
    let address = this.addresses.get(message);
    if (!address) {
      const { blockNumber, contextId } = this.context;
      if (message.salt) {
        address = new Address(create2Address(this.suite, message.caller.bytes, message.salt, message.code ?? new Uint8Array(0)));
      } else {
        // The deploy itself is seq 0; every CREATE it runs takes the next seq.
        const seq = message.depth === 0 ? 0 : ++this.createSeq;
        address = new Address(contractAddress(this.suite, blockNumber, contextId, seq));
      }
      this.addresses.set(message, address);
    }
    return address;
  }

  private block(context: ExecutionContext) {
    return {
      header: {
        number: BigInt(context.blockNumber),
        coinbase: createZeroAddress(),
        timestamp: BigInt(context.timestamp),
        difficulty: 0n,
        prevRandao: new Uint8Array(32),
        gasLimit: TX_GAS_LIMIT,
        baseFeePerGas: 0n,
        slotNumber: 0n,
        getBlobGasPrice: () => 0n,
      },
    } as unknown as Parameters<EVM['runCall']>[0]['block'];
  }

  /** One EVM operation at a time: a call must never see a transaction half applied. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

interface CreateMessage {
  caller: Address;
  depth: number;
  salt?: Uint8Array;
  code?: Uint8Array;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
