/**
 * What the kit cannot know of an EOS package (`eos-wasm`), checked before anything touches the
 * chain, after the kit's schema and size checks: the WASM is a module WebAssembly accepts, exports
 * the `apply` function nodeos calls for every action and imports only from `env` (the host
 * functions nodeos offers); the ABI names only types it declares or Antelope has built in, each
 * action's type is a struct, and it serializes as `setabi` stores it.
 *
 * What cannot be checked here: that `apply` dispatches the ABI's actions (it compares action
 * names at run time), that a struct's fields are the layout the code unpacks, that a return type
 * is what the action returns, or that the code passes nodeos's own WASM limits (globals, table
 * and memory sizes, the deterministic-float rules): `setcode` on the chain refuses those, and the
 * whole transaction with it.
 */
import { InvalidInputError, type EosWasmPackage } from '@bsn/contract';
import { BUILTIN_TYPES, ContractAbi, type Abi } from '../antelope/index.js';

export interface CheckedEosPackage {
  wasm: Uint8Array;
  abi: ContractAbi;
}

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

/** Node's WebAssembly, typed here: this package compiles without the DOM library that declares it. */
interface WasmApi {
  Module: {
    new (bytes: Uint8Array): object;
    exports(module: object): Array<{ name: string; kind: string }>;
    imports(module: object): Array<{ module: string; name: string; kind: string }>;
  };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

function checkWasm(wasm: Uint8Array, field: string): void {
  let module: object;
  try {
    module = new WebAssembly.Module(wasm);
  } catch (error) {
    return invalid(field, `is not a valid WebAssembly module (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!WebAssembly.Module.exports(module).some((e) => e.name === 'apply' && e.kind === 'function'))
    invalid(field, 'exports no function "apply": nodeos calls apply(receiver, code, action) for every action');
  const foreign = WebAssembly.Module.imports(module).find((i) => i.module !== 'env');
  if (foreign) invalid(field, `imports ${foreign.module}.${foreign.name}: nodeos offers host functions under "env" only`);
}

/** The base type of `type` without `[]`, `?` and `$`. */
const baseOf = (type: string): string => type.replace(/(\[\]|\?|\$)+$/, '');

function checkAbi(abi: Abi, field: string): ContractAbi {
  const structs = new Map((abi.structs ?? []).map((s) => [s.name, s]));
  const declared = new Set<string>([
    ...BUILTIN_TYPES,
    ...structs.keys(),
    ...(abi.types ?? []).map((t) => t.new_type_name),
    ...(abi.variants ?? []).map((v) => v.name),
  ]);
  const known = (type: unknown) => typeof type === 'string' && declared.has(baseOf(type));
  (abi.types ?? []).forEach((t, i) => {
    if (!known(t.type)) invalid(`${field}/types/${i}/type`, `names ${JSON.stringify(t.type)}, a type the ABI does not declare`);
  });
  (abi.structs ?? []).forEach((s, i) => {
    if (s.base && !structs.has(s.base)) invalid(`${field}/structs/${i}/base`, `names ${JSON.stringify(s.base)}, which is no struct`);
    if (!Array.isArray(s.fields)) invalid(`${field}/structs/${i}/fields`, 'must be an array of { name, type }');
    s.fields.forEach((f, j) => {
      if (!known(f.type))
        invalid(`${field}/structs/${i}/fields/${j}/type`, `names ${JSON.stringify(f.type)}, a type the ABI does not declare`);
    });
  });
  (abi.actions ?? []).forEach((a, i) => {
    if (!structs.has(a.type))
      invalid(`${field}/actions/${i}/type`, `action ${a.name}'s data type ${JSON.stringify(a.type)} is no struct of the ABI`);
  });
  if ((abi.actions ?? []).length === 0) invalid(`${field}/actions`, 'declares no action: nothing could be called');
  const actions = new Set(abi.actions.map((a) => a.name));
  (abi.action_results ?? []).forEach((r, i) => {
    if (!actions.has(r.name)) invalid(`${field}/action_results/${i}/name`, `${r.name} is no action of the ABI`);
    if (!known(r.result_type))
      invalid(`${field}/action_results/${i}/result_type`, `names ${JSON.stringify(r.result_type)}, a type the ABI does not declare`);
  });
  (abi.tables ?? []).forEach((t, i) => {
    if (!structs.has(t.type))
      invalid(`${field}/tables/${i}/type`, `table ${t.name}'s row type ${JSON.stringify(t.type)} is no struct of the ABI`);
  });
  try {
    const parsed = new ContractAbi(abi);
    parsed.encodeSelf();
    return parsed;
  } catch (error) {
    return invalid(field, `does not serialize as setabi stores it (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The package's WASM bytes and its ABI made ready, or InvalidInputError naming the field under `field`. */
export function checkEosPackage(pkg: EosWasmPackage, field = '/contract/package'): CheckedEosPackage {
  const wasm = Uint8Array.from(Buffer.from(pkg.wasm, 'base64'));
  checkWasm(wasm, `${field}/wasm`);
  return { wasm, abi: checkAbi(pkg.abi as unknown as Abi, `${field}/abi`) };
}
