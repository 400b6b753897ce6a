import { AbiCoder, type ErrorFragment, type EventFragment, type FunctionFragment, type Interface, type Result } from 'ethers';
import { concat, utf8Bytes } from '../protocol/big-endian.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import type { ReceiptLog } from '../protocol/receipt.js';

const coder = AbiCoder.defaultAbiCoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytesOf = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));

/** A revert decoded against the contracts' errors: `NotMember(account=0x…)`. */
export interface DecodedRevert {
  name: string;
  args: Record<string, string | number | boolean>;
  text: string;
}

/**
 * One contract interface on one chain: the Solidity ABI for arguments and results (ethers'
 * coder, which does not depend on the hash), with selectors, error selectors and event topics
 * under the chain's hash — Keccak-256, or SM3 on SM chains, as FISCO's SM solc computes them.
 */
export class ChainAbi {
  private readonly errorsBySelector = new Map<string, ErrorFragment>();
  private readonly eventsByTopic = new Map<string, EventFragment>();

  constructor(
    readonly suite: CryptoSuite,
    private readonly iface: Interface,
  ) {
    iface.forEachError((e) => this.errorsBySelector.set(this.selectorOf(e.format('sighash')), e));
    iface.forEachEvent((e) => this.eventsByTopic.set(this.topicOf(e.format('sighash')), e));
  }

  selectorOf(signature: string): string {
    return hex(this.suite.hash(utf8Bytes(signature)).subarray(0, 4));
  }

  topicOf(signature: string): string {
    return hex(this.suite.hash(utf8Bytes(signature)));
  }

  private fn(name: string): FunctionFragment {
    const f = this.iface.getFunction(name);
    if (!f) throw new Error(`no function ${name} in this interface`);
    return f;
  }

  encode(name: string, args: readonly unknown[]): Uint8Array {
    const f = this.fn(name);
    return concat([bytesOf(this.selectorOf(f.format('sighash'))), bytesOf(coder.encode(f.inputs, args))]);
  }

  /** The arguments of a call of `name` (its calldata, selector included). */
  decodeArguments(name: string, input: Uint8Array): Result {
    return coder.decode(this.fn(name).inputs, input.subarray(4));
  }

  decodeResult(name: string, output: Uint8Array): Result {
    return coder.decode(this.fn(name).outputs, output);
  }

  /** The topic0 of an event of this interface. */
  eventTopic(name: string): string {
    const e = this.iface.getEvent(name);
    if (!e) throw new Error(`no event ${name} in this interface`);
    return this.topicOf(e.format('sighash'));
  }

  /** A log of this interface's event `name`, or undefined when the log is another's. */
  decodeLog(name: string, log: ReceiptLog): Result | undefined {
    const e = this.iface.getEvent(name);
    if (!e || hex(log.topics[0] ?? new Uint8Array(0)) !== this.eventTopic(name)) return undefined;
    return coder.decode(
      e.inputs.filter((i) => !i.indexed),
      log.data,
    );
  }

  decodeRevert(data: Uint8Array): DecodedRevert | undefined {
    if (data.length < 4) return undefined;
    const selector = hex(data.subarray(0, 4));
    if (selector === this.selectorOf('Error(string)')) {
      const [reason] = coder.decode(['string'], data.subarray(4));
      return { name: 'Error', args: { reason: String(reason) }, text: String(reason) };
    }
    const fragment = this.errorsBySelector.get(selector);
    if (!fragment) return undefined;
    try {
      const values = coder.decode(fragment.inputs, data.subarray(4));
      const args: DecodedRevert['args'] = {};
      fragment.inputs.forEach((input, i) => {
        const v = values[i] as unknown;
        args[input.name || String(i)] = typeof v === 'bigint' ? v.toString() : (v as string | number | boolean);
      });
      const text = `${fragment.name}(${Object.entries(args)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`;
      return { name: fragment.name, args, text };
    } catch {
      return undefined;
    }
  }
}
