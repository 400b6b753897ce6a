/**
 * ABI (de)serialization of action data and of ABIs themselves, through eosjs's `Serialize`.
 * (@wharfkit/antelope: `ABI.from` + `Serializer.encode/decode`.)
 */
import { Serialize } from 'eosjs';
import type { Abi } from 'eosjs/dist/eosjs-rpc-interfaces.js';

export type { Abi };

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

const buffer = (array?: Uint8Array) => new Serialize.SerialBuffer({ textEncoder, textDecoder, ...(array && { array }) });

/** The binary `abi_def` encoding `setabi` takes. */
const abiTypes = Serialize.getTypesFromAbi(Serialize.createAbiTypes());

/** The types every ABI may name without declaring them (`name`, `uint64`, `asset`, …). */
export const BUILTIN_TYPES: ReadonlySet<string> = new Set(Serialize.createInitialTypes().keys());

/** A contract's ABI made ready to (de)serialize its actions and tables. */
export class ContractAbi {
  private readonly types: Map<string, Serialize.Type>;
  private readonly actions: Map<string, string>;

  constructor(readonly abi: Abi) {
    this.types = Serialize.getTypesFromAbi(Serialize.createInitialTypes(), abi);
    this.actions = new Map(abi.actions.map((a) => [a.name, a.type]));
  }

  /** From the base64 `abi` of `/v1/chain/get_raw_abi`. */
  static fromRaw(raw: Uint8Array): ContractAbi {
    const def = Serialize.getType(abiTypes, 'abi_def');
    const parsed = def.deserialize(buffer(raw)) as Abi;
    return new ContractAbi(parsed);
  }

  hasAction(name: string): boolean {
    return this.actions.has(name);
  }

  encodeAction(name: string, data: unknown): Uint8Array {
    const type = this.actions.get(name);
    if (!type) throw new Error(`the ABI has no action ${name}`);
    const out = buffer();
    Serialize.getType(this.types, type).serialize(out, data);
    return out.asUint8Array();
  }

  decodeAction<T>(name: string, data: Uint8Array): T {
    const type = this.actions.get(name);
    if (!type) throw new Error(`the ABI has no action ${name}`);
    return Serialize.getType(this.types, type).deserialize(buffer(data)) as T;
  }

  /** The type an action's return value has (`action_results`, ABI 1.2), if it declares one. */
  resultTypeOf(action: string): string | undefined {
    return this.abi.action_results?.find((r) => r.name === action)?.result_type;
  }

  /** Encodes a value of any type the ABI knows. */
  encode(type: string, value: unknown): Uint8Array {
    const out = buffer();
    Serialize.getType(this.types, type).serialize(out, value);
    return out.asUint8Array();
  }

  /** Decodes a value of any type the ABI knows (a return value, a table row). */
  decode<T>(type: string, data: Uint8Array): T {
    return Serialize.getType(this.types, type).deserialize(buffer(data)) as T;
  }

  /** The binary form `eosio::setabi` stores. */
  encodeSelf(): Uint8Array {
    const def = Serialize.getType(abiTypes, 'abi_def');
    const complete: Record<string, unknown> = { ...this.abi };
    for (const field of def.fields) if (!(field.name in complete)) complete[field.name] = [];
    const out = buffer();
    def.serialize(out, complete);
    return out.asUint8Array();
  }
}
