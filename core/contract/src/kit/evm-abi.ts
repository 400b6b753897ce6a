/**
 * Solidity JSON ABIs as the kit checks them: every parameter type well-formed, and each
 * function's canonical signature (`transfer(address,uint256)`, tuples expanded) from which
 * its 4-byte selector is hashed.
 */
import type { AbiEntry, AbiParameter } from '../contract/contract-package.js';
import { InvalidInputError } from '../errors/errors.js';

const ELEMENTARY =
  /^(address|bool|string|bytes|function|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?|bytes([1-9]|[12][0-9]|3[0-2]))$/;

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

/** The canonical type of one parameter (`uint` → `uint256`, a tuple → `(t1,t2)`), refusing unknown types. */
export function canonicalType(param: AbiParameter, field: string): string {
  const match = /^([a-z][a-z0-9]*)((\[[0-9]*\])*)$/.exec(param.type);
  if (!match) invalid(`${field}/type`, `not a Solidity ABI type: ${JSON.stringify(param.type)}`);
  const [, base, dims] = match as unknown as [string, string, string];
  for (const d of dims.match(/\[([0-9]*)\]/g) ?? [])
    if (d === '[0]' || /^\[0[0-9]/.test(d)) invalid(`${field}/type`, `array size must be a positive number (${param.type})`);
  let head: string;
  if (base === 'tuple') {
    if (!Array.isArray(param.components)) invalid(`${field}/components`, 'a tuple lists its components');
    head = `(${param.components.map((c, i) => canonicalType(c, `${field}/components/${i}`)).join(',')})`;
  } else {
    if (!ELEMENTARY.test(base)) invalid(`${field}/type`, `not a Solidity ABI type: ${JSON.stringify(param.type)}`);
    if (param.components !== undefined) invalid(`${field}/components`, `only a tuple has components (type ${param.type})`);
    head = base === 'uint' ? 'uint256' : base === 'int' ? 'int256' : base;
  }
  return head + dims;
}

/** `name(type,…)` of a function, event or error entry. */
export function signatureOf(entry: AbiEntry, field: string): string {
  const inputs = (entry.inputs ?? []).map((p, i) => canonicalType(p, `${field}/inputs/${i}`));
  return `${entry.name}(${inputs.join(',')})`;
}

/** Every function of the ABI with its signature and ABI index; duplicates refused (a selector names one function). */
export function abiFunctions(abi: AbiEntry[], field: string): Array<{ signature: string; index: number }> {
  const seen = new Map<string, number>();
  const out: Array<{ signature: string; index: number }> = [];
  abi.forEach((entry, index) => {
    const at = `${field}/${index}`;
    if (entry.type === 'function' || entry.type === 'event' || entry.type === 'error') {
      const signature = signatureOf(entry, at);
      (entry.outputs ?? []).forEach((p, i) => canonicalType(p, `${at}/outputs/${i}`));
      const key = `${entry.type} ${signature}`;
      if (seen.has(key)) invalid(at, `${entry.type} ${signature} is declared twice (also at ${field}/${seen.get(key)})`);
      seen.set(key, index);
      if (entry.type === 'function') out.push({ signature, index });
    } else if (entry.type === 'constructor') {
      (entry.inputs ?? []).forEach((p, i) => canonicalType(p, `${at}/inputs/${i}`));
    }
  });
  return out;
}
