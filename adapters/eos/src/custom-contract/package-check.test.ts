import { describe, expect, it } from 'vitest';
import { checkContractSource, isBsnError, type EosWasmPackage } from '@bsn/contract';
import { eosTokenSample } from '../devnets/token-sample.js';
import { actionData } from './action-args.js';
import { checkEosPackage } from './package-check.js';

const sample = await eosTokenSample();
const v1 = (sample.v1({ framework: 'eos', algorithm: 'secp256k1', publicKey: '', id: 'alice@active' }) as { package: EosWasmPackage })
  .package;

/** A module: magic and version, then the given sections. */
const wasm = (...sections: number[][]) =>
  Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]).toString('base64');
const TYPE_VOID = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
/** Imports `<module>.x` as function 0. */
const importFrom = (module: string) => {
  const body = [0x01, module.length, ...Buffer.from(module), 0x01, 0x78, 0x00, 0x00];
  return [0x02, body.length, ...body];
};
const EXPORT_APPLY = [0x07, 0x09, 0x01, 0x05, ...Buffer.from('apply'), 0x00, 0x00];

function refusal(pkg: EosWasmPackage): { field?: string; message: string } {
  try {
    checkEosPackage(pkg);
  } catch (error) {
    if (isBsnError(error, 'INVALID_INPUT')) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('the package was accepted');
}

describe('an EOS package, checked before the chain', () => {
  it("accepts the sample token's versions, their ABIs made ready", () => {
    const checked = checkEosPackage(v1);
    expect(checked.abi.hasAction('transfer')).toBe(true);
    expect(checked.abi.resultTypeOf('balance')).toBe('uint64');
    expect(checked.wasm.byteLength).toBeGreaterThan(1000);
  });

  it('refuses a module WebAssembly rejects, one without apply, and one importing from outside env', () => {
    expect(refusal({ ...v1, wasm: wasm([0x01, 0x09]) })).toMatchObject({ field: '/contract/package/wasm', message: /valid WebAssembly/ });
    expect(refusal({ ...v1, wasm: wasm() })).toMatchObject({ field: '/contract/package/wasm', message: /apply/ });
    expect(refusal({ ...v1, wasm: wasm(TYPE_VOID, importFrom('wasi'), EXPORT_APPLY) })).toMatchObject({
      field: '/contract/package/wasm',
      message: /wasi\.x/,
    });
    // The same module importing from env is what nodeos accepts.
    expect(() => checkEosPackage({ ...v1, wasm: wasm(TYPE_VOID, importFrom('env'), EXPORT_APPLY) })).not.toThrow();
  });

  it('names the ABI field that is wrong: an action without a struct, an unknown field type, a result of no action, no actions', () => {
    const abi = v1.abi as { structs: Array<{ name: string; fields: Array<{ type: string }> }>; actions: unknown[] };
    const bad = sample.badPackage();
    expect(refusal((bad.contract as { package: EosWasmPackage }).package).field).toBe(
      bad.field.replace('/contract/package', '/contract/package'),
    );
    const structs = abi.structs.map((s, i) => (i === 0 ? { ...s, fields: [{ name: 'x', type: 'uint77' }] } : s));
    expect(refusal({ ...v1, abi: { ...v1.abi, structs } }).field).toBe('/contract/package/abi/structs/0/fields/0/type');
    expect(refusal({ ...v1, abi: { ...v1.abi, action_results: [{ name: 'nosuch', result_type: 'uint64' }] } }).field).toBe(
      '/contract/package/abi/action_results/0/name',
    );
    expect(refusal({ ...v1, abi: { ...v1.abi, actions: [] } }).field).toBe('/contract/package/abi/actions');
  });

  it("the kit's own checks come first: schema, the \\0asm header, an action declared twice", () => {
    const kit = (pkg: unknown) => {
      try {
        checkContractSource({ kind: 'package', package: pkg }, '/contract', { packages: ['eos-wasm'] });
      } catch (error) {
        return isBsnError(error, 'INVALID_INPUT') ? error.field : 'untyped';
      }
      return 'accepted';
    };
    expect(kit({ ...v1, wasm: Buffer.from('not wasm').toString('base64') })).toBe('/contract/package/wasm');
    expect(kit({ ...v1, abi: { ...v1.abi, version: 'eosio::abi/2.0' } })).toBe('/contract/package/abi/version');
    const actions = (v1.abi.actions ?? []) as unknown[];
    expect(kit({ ...v1, abi: { ...v1.abi, actions: [...actions, actions[0]] } })).toBe(
      `/contract/package/abi/actions/${actions.length}/name`,
    );
    expect(kit(v1)).toBe('accepted');
  });
});

describe('call arguments as action data', () => {
  const { abi } = checkEosPackage(v1);

  it('types each argument by its field: a ChainAccount id or a name, integers as decimal text', () => {
    expect(actionData(abi, 'transfer', ['bob@active', '250'])).toEqual({ to: 'bob', amount: '250' });
    expect(actionData(abi, 'mint', ['carol', '18446744073709551615'])).toEqual({ to: 'carol', amount: '18446744073709551615' });
  });

  it('refuses a wrong count, a non-integer amount and a bad name, naming the argument', () => {
    const field = (args: string[]) => {
      try {
        actionData(abi, 'transfer', args);
      } catch (error) {
        return isBsnError(error, 'INVALID_INPUT') ? error.field : 'untyped';
      }
      return 'accepted';
    };
    expect(field(['bob@active'])).toBe('/args');
    expect(field(['bob@active', '2.5'])).toBe('/args/1');
    expect(field(['Not A Name!', '1'])).toBe('/args/0');
  });
});
