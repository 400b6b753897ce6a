/**
 * A call's string arguments as the fields of the action's data struct, in the ABI's order, each
 * typed by its ABI type: `name` takes an account or a ChainAccount id (`alice@active`), integers
 * their decimal text, `bool` true/false, `bytes` hex, `asset`/`symbol` and time types their
 * Antelope text; arrays, optionals and structs a JSON text. Each value then goes through the ABI
 * serializer, whose refusal names the argument.
 */
import { InvalidInputError } from '@bsn/contract';
import type { ContractAbi } from '../antelope/index.js';

interface Field {
  name: string;
  type: string;
}

const SMALL_NUMBERS = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'varint32', 'varuint32', 'float32', 'float64']);
const BIG_NUMBERS = new Set(['int64', 'uint64', 'int128', 'uint128']);

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

/** The fields of struct `type`, its bases' first. */
export function fieldsOf(abi: ContractAbi, type: string): Field[] {
  const struct = abi.abi.structs.find((s) => s.name === type);
  if (!struct) return [];
  return [...(struct.base ? fieldsOf(abi, struct.base) : []), ...struct.fields];
}

function valueOf(text: string, type: string, field: string): unknown {
  if (type === 'name') return /^[a-z1-5.]{1,13}@active$/.test(text) ? text.slice(0, -'@active'.length) : text;
  if (type === 'bool') {
    if (text !== 'true' && text !== 'false') invalid(field, `a bool is true or false, not ${JSON.stringify(text)}`);
    return text === 'true';
  }
  if (SMALL_NUMBERS.has(type)) {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) invalid(field, `a ${type} is a number, not ${JSON.stringify(text)}`);
    return n;
  }
  if (BIG_NUMBERS.has(type)) {
    if (!/^-?[0-9]+$/.test(text)) invalid(field, `a ${type} is a decimal integer, not ${JSON.stringify(text)}`);
    return text;
  }
  if (type.endsWith('[]') || type.endsWith('?') || type.endsWith('$') || !/^[a-z_0-9]+$/.test(type) || text.startsWith('{')) {
    if (type === 'string') return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      if (type.endsWith('[]') || type.endsWith('?')) invalid(field, `a ${type} is given as JSON text`);
    }
  }
  return text;
}

/** The action `action`'s data from `args`, or InvalidInputError naming `/args` or `/args/<i>` (under `field`). */
export function actionData(abi: ContractAbi, action: string, args: readonly string[], field = '/args'): Record<string, unknown> {
  const type = abi.abi.actions.find((a) => a.name === action)!.type;
  const fields = fieldsOf(abi, type);
  if (args.length !== fields.length) {
    const wanted = fields.map((f) => `${f.name}: ${f.type}`).join(', ');
    invalid(field, `action ${action} takes ${fields.length} argument(s) (${wanted}), not ${args.length}`);
  }
  const data: Record<string, unknown> = {};
  fields.forEach((f, i) => {
    const value = valueOf(args[i]!, f.type, `${field}/${i}`);
    try {
      abi.encode(f.type, value);
    } catch (error) {
      invalid(
        `${field}/${i}`,
        `is no ${f.type} (${f.name} of action ${action}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    data[f.name] = value;
  });
  return data;
}
