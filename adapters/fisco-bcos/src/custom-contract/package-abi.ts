import { AbiCoder, Interface, type EventFragment, type FunctionFragment, type ParamType } from 'ethers';
import { InvalidInputError } from '@bsn/contract';
import { ChainAbi } from '../contracts/chain-abi.js';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import { jsonOf } from './abi-values.js';

const coder = AbiCoder.defaultAbiCoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));

/** An app's event decoded by its ABI: the ABI's name and its arguments by name. */
export interface DecodedEvent {
  name: string;
  args: Record<string, unknown>;
}

/**
 * A package's ABI on one chain: ethers' coder for values (it does not depend on the hash) with
 * function selectors, error selectors and event topics under the chain's hash — Keccak-256, or
 * SM3 on an SM chain, as FISCO's SM solc computes them (ethers' own are always Keccak).
 */
export class PackageAbi {
  readonly iface: Interface;
  /** The package's errors under the chain's hash, for naming reverts. */
  readonly errors: ChainAbi;
  private readonly events = new Map<string, EventFragment>();

  constructor(
    readonly suite: CryptoSuite,
    abi: string | readonly unknown[],
  ) {
    this.iface = new Interface(abi as never);
    this.errors = new ChainAbi(suite, this.iface);
    this.iface.forEachEvent((e) => this.events.set(this.hashOf(e.format('sighash')), e));
  }

  private hashOf(signature: string): string {
    return hex(this.suite.hash(new TextEncoder().encode(signature)));
  }

  selectorOf(fn: FunctionFragment): string {
    return this.hashOf(fn.format('sighash')).slice(0, 8);
  }

  /** The function `method` names: a name, or a full signature for an overloaded one; `field` names a bad one. */
  functionOf(method: string, field: string): FunctionFragment {
    let fn: FunctionFragment | null;
    try {
      fn = this.iface.getFunction(method);
    } catch {
      throw new InvalidInputError(`${field}: ${method} is overloaded in the contract's ABI: name it by its signature`, { field });
    }
    if (!fn) {
      const names = [...new Set(this.iface.fragments.filter((f) => f.type === 'function').map((f) => (f as FunctionFragment).name))];
      throw new InvalidInputError(`${field}: the contract has no method ${JSON.stringify(method)} (it has ${names.join(', ')})`, { field });
    }
    return fn;
  }

  encode(fn: FunctionFragment, values: readonly unknown[]): Uint8Array {
    return bytes(this.selectorOf(fn) + coder.encode(fn.inputs, values).slice(2));
  }

  /** The outputs of `fn` as the JSON array the gateway answers. */
  decodeResult(fn: FunctionFragment, output: Uint8Array): unknown[] {
    const values = coder.decode(fn.outputs, output);
    return fn.outputs.map((p, i) => jsonOf(p, values[i]));
  }

  /** A log decoded by this ABI's events, or undefined when none of them wrote it. */
  decodeLog(topics: readonly Uint8Array[], data: Uint8Array): DecodedEvent | undefined {
    const event = topics[0] && this.events.get(hex(topics[0]));
    if (!event || event.anonymous) return undefined;
    const indexed = event.inputs.filter((p) => p.indexed);
    if (topics.length !== indexed.length + 1) return undefined;
    try {
      const plain = coder.decode(
        event.inputs.filter((p) => !p.indexed),
        data,
      );
      let t = 1;
      let d = 0;
      const args: Record<string, unknown> = {};
      event.inputs.forEach((p: ParamType, i) => {
        const name = p.name || `arg${i}`;
        if (!p.indexed) args[name] = jsonOf(p, plain[d++]);
        // An indexed dynamic value is only its hash in the topic.
        else if (p.isArray() || p.isTuple() || p.baseType === 'string' || p.baseType === 'bytes') args[name] = '0x' + hex(topics[t++]!);
        else args[name] = jsonOf(p, coder.decode([p], topics[t++]!)[0]);
      });
      return { name: event.name, args };
    } catch {
      return undefined;
    }
  }
}
