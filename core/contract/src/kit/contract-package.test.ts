import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, test } from 'vitest';
import type { AbiEntry, ContractPackage } from '../contract/contract-package.js';
import { sm3 } from '../crypto/sm3.js';
import { isBsnError } from '../errors/errors.js';
import { checkContractSource } from './app-spec.js';
import { CONTRACT_PACKAGE_LIMITS, checkContractPackage } from './contract-package.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const selector = (sig: string, hash: (b: Uint8Array) => Uint8Array = keccak_256) => hex(hash(new TextEncoder().encode(sig)).slice(0, 4));

const fn = (name: string, inputs: string[]): AbiEntry => ({
  type: 'function',
  name,
  inputs: inputs.map((type, i) => ({ name: `a${i}`, type })),
  outputs: [],
  stateMutability: 'nonpayable',
});
const abi = [
  fn('transfer', ['address', 'uint256']),
  fn('balanceOf', ['address']),
  { type: 'event', name: 'Transfer', inputs: [] },
] as AbiEntry[];
/** A dispatcher's comparisons: PUSH4 <selector> EQ for each function, then STOP. */
const dispatcher = (...sigs: string[]) => '0x' + sigs.map((s) => `63${selector(s)}14`).join('') + '00';
const evm = (over: Partial<ContractPackage> = {}): ContractPackage =>
  ({ format: 'evm-bytecode', abi, bytecode: dispatcher('transfer(address,uint256)', 'balanceOf(address)'), ...over }) as ContractPackage;

function refusal(f: () => unknown): { field?: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isBsnError(e, 'INVALID_INPUT')) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected an InvalidInputError');
}

describe('EVM packages: the ABI against the code', () => {
  test('an ABI whose every function the code dispatches is accepted', () => {
    expect(checkContractPackage(evm())).toEqual(evm());
  });

  test('a function the code does not dispatch is refused, naming the ABI entry and the selector', () => {
    const r = refusal(() => checkContractPackage(evm({ abi: [...abi, fn('mint', ['address', 'uint256'])] } as never)));
    expect(r.field).toBe('/contract/package/abi/3');
    expect(r.message).toContain(`mint(address,uint256) (selector 0x${selector('mint(address,uint256)')})`);
  });

  test('a selector with leading zero bytes is found as the shorter PUSH solc emits for it', () => {
    // PUSH3 of the low three bytes stands for 0x00xxxxxx; here the check is of the scanner alone.
    let name = '';
    for (let i = 0; !name; i++) if (selector(`f${i}()`).startsWith('00')) name = `f${i}`;
    const low = selector(`${name}()`).slice(2);
    expect(checkContractPackage(evm({ abi: [fn(name, [])], bytecode: `0x62${low}1400` } as never)).format).toBe('evm-bytecode');
    // The same three bytes as the data of a longer push are not an immediate of their own.
    expect(refusal(() => checkContractPackage(evm({ abi: [fn(name, [])], bytecode: `0x64ff${low}1400` } as never))).field).toBe(
      '/contract/package/abi/0',
    );
  });

  test('deployedBytecode, when given, must be the runtime inside the creation code and is what is scanned', () => {
    const runtime = dispatcher('transfer(address,uint256)', 'balanceOf(address)');
    const creation = '0x6080604052' + runtime.slice(2);
    expect(checkContractPackage(evm({ bytecode: creation, deployedBytecode: runtime } as never)).format).toBe('evm-bytecode');
    expect(refusal(() => checkContractPackage(evm({ deployedBytecode: '0x6001' } as never))).field).toBe(
      '/contract/package/deployedBytecode',
    );
    // the constructor pushes balanceOf's selector, the runtime does not dispatch it
    const ctorOnly = '0x63' + selector('balanceOf(address)') + '50' + dispatcher('transfer(address,uint256)').slice(2);
    const runtimeOnly = dispatcher('transfer(address,uint256)');
    expect(checkContractPackage(evm({ bytecode: ctorOnly } as never)).format).toBe('evm-bytecode');
    expect(refusal(() => checkContractPackage(evm({ bytecode: ctorOnly, deployedBytecode: runtimeOnly } as never))).field).toBe(
      '/contract/package/abi/1',
    );
  });

  test('FISCO BCOS in SM mode hashes selectors with SM3', () => {
    const code = '0x' + [`63${selector('transfer(address,uint256)', sm3)}14`, `63${selector('balanceOf(address)', sm3)}14`].join('') + '00';
    const sm = { format: 'fisco-bcos-evm', abi, bytecode: code, cryptoMode: 'sm' } as ContractPackage;
    expect(checkContractPackage(sm).format).toBe('fisco-bcos-evm');
    expect(refusal(() => checkContractPackage({ ...sm, cryptoMode: 'standard' } as ContractPackage)).field).toBe('/contract/package/abi/0');
  });

  test('malformed ABIs and code are refused before any look at the code', () => {
    const cases: Array<[unknown, string]> = [
      [{ ...evm(), bytecode: '0x60__$lib$__' }, '/contract/package/bytecode'],
      [{ ...evm(), bytecode: undefined }, '/contract/package/bytecode'],
      [{ ...evm(), format: 'wasm' }, '/contract/package/format'],
      [{ ...evm(), extra: 1 }, '/contract/package/extra'],
      [{ ...evm(), abi: [] }, '/contract/package/abi'],
      [{ ...evm(), abi: [{ type: 'function', name: 'f', inputs: [{ type: 'uint7' }] }] }, '/contract/package/abi/0/inputs/0/type'],
      [{ ...evm(), abi: [{ type: 'function', name: 'f', inputs: [{ type: 'uint256[0]' }] }] }, '/contract/package/abi/0/inputs/0/type'],
      [{ ...evm(), abi: [{ type: 'function', name: 'f', inputs: [{ type: 'tuple' }] }] }, '/contract/package/abi/0/inputs/0/components'],
      [{ ...evm(), abi: [abi[0], abi[0]] }, '/contract/package/abi/1'],
      [{ ...evm(), abi: [{ type: 'event', name: 'E', inputs: [] }] }, '/contract/package/abi'],
      [{ ...evm(), abi: [{ type: 'function', inputs: [] }] }, '/contract/package/abi/0/name'],
      [{ ...evm(), bytecode: '0x' + '00'.repeat(CONTRACT_PACKAGE_LIMITS.evmInitcodeBytes + 1) }, '/contract/package/bytecode'],
    ];
    for (const [pkg, field] of cases) expect([field, refusal(() => checkContractPackage(pkg)).field]).toEqual([field, field]);
  });

  test('a tuple is hashed by its components (as solc does)', () => {
    const t = {
      type: 'function',
      name: 'set',
      inputs: [{ name: 'p', type: 'tuple[]', components: [{ type: 'uint' }, { type: 'address' }] }],
    };
    const code = `0x63${selector('set((uint256,address)[])')}1400`;
    expect(checkContractPackage({ format: 'evm-bytecode', abi: [t], bytecode: code }).format).toBe('evm-bytecode');
  });
});

describe('other frameworks', () => {
  const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
  test('EOS: a WASM module with an Antelope ABI; not WASM or an action twice is refused', () => {
    const wasm = b64(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const eos = { format: 'eos-wasm', wasm, abi: { version: 'eosio::abi/1.2', actions: [{ name: 'transfer', type: 'transfer' }] } };
    expect(checkContractPackage(eos).format).toBe('eos-wasm');
    expect(refusal(() => checkContractPackage({ ...eos, wasm: b64('not wasm') })).field).toBe('/contract/package/wasm');
    const twice = { ...eos, abi: { ...eos.abi, actions: [eos.abi.actions[0], eos.abi.actions[0]] } };
    expect(refusal(() => checkContractPackage(twice)).field).toBe('/contract/package/abi/actions/1/name');
  });

  test('Fabric: a Node.js package needs a package.json naming it; no path leaves the package', () => {
    const manifest = { name: 'token', main: 'index.js', scripts: { start: 'fabric-chaincode-node start' } };
    const files = { 'package.json': b64(JSON.stringify(manifest)), 'index.js': b64('module.exports = {}') };
    expect(checkContractPackage({ format: 'fabric-chaincode-node', files }).format).toBe('fabric-chaincode-node');
    expect(refusal(() => checkContractPackage({ format: 'fabric-chaincode-node', files: { 'index.js': files['index.js'] } })).field).toBe(
      '/contract/package/files/package.json',
    );
    const escape = refusal(() =>
      checkContractPackage({ format: 'fabric-chaincode-node', files: { ...files, '../escape.js': files['index.js'] } }),
    );
    expect(escape.field).toBe('/contract/package/files');
    expect(escape.message).toContain('../escape.js');
    expect(
      refusal(() => checkContractPackage({ format: 'fabric-chaincode-node', files: { ...files, 'package.json': b64('{}') } })).field,
    ).toBe('/contract/package/files/package.json');
  });

  test('Fabric: main must be a file of the package and scripts.start must run fabric-chaincode-node', () => {
    const ok = { name: 'token', main: 'lib/token.js', scripts: { start: 'fabric-chaincode-node server' } };
    const pkg = (manifest: object, extra: Record<string, string> = { 'lib/token.js': b64('module.exports = {}') }) => ({
      format: 'fabric-chaincode-node',
      files: { 'package.json': b64(JSON.stringify(manifest)), ...extra },
    });
    expect(checkContractPackage(pkg(ok)).format).toBe('fabric-chaincode-node');
    const missingMain = refusal(() => checkContractPackage(pkg({ ...ok, main: 'lib/other.js' })));
    expect([missingMain.field, missingMain.message]).toEqual([
      '/contract/package/files/package.json',
      expect.stringContaining('lib/other.js'),
    ]);
    for (const scripts of [undefined, {}, { start: 'node index.js' }, { start: 42 }]) {
      const refused = refusal(() => checkContractPackage(pkg({ ...ok, scripts })));
      expect([refused.field, refused.message]).toEqual(['/contract/package/files/package.json', expect.stringContaining('scripts.start')]);
    }
    const noMain = refusal(() => checkContractPackage(pkg({ name: 'token', scripts: ok.scripts }, { 'index.js': b64('') })));
    expect([noMain.field, noMain.message]).toEqual(['/contract/package/files/package.json', expect.stringContaining('"main"')]);
  });
});

describe('the contract of an app spec', () => {
  const pkg = { kind: 'package', package: evm(), call: { method: 'initialize', args: ['0x01'] } };
  test('a package is accepted only by an adapter that deploys its format', () => {
    expect(checkContractSource(pkg, '/contract', { packages: ['evm-bytecode'] })).toEqual(pkg);
    expect(refusal(() => checkContractSource(pkg)).field).toBe('/contract/kind');
    expect(refusal(() => checkContractSource(pkg, '/contract', { packages: ['eos-wasm'] })).field).toBe('/contract/package/format');
    expect(
      refusal(() => checkContractSource({ kind: 'custom', language: 'solidity', files: {} }, '/contract', { packages: ['evm-bytecode'] }))
        .field,
    ).toBe('/contract/kind');
  });

  test('a malformed package or call names the field under /contract', () => {
    const opts = { packages: ['evm-bytecode'] as const };
    expect(refusal(() => checkContractSource({ ...pkg, package: { ...evm(), bytecode: '0x6' } }, '/contract', opts)).field).toBe(
      '/contract/package/bytecode',
    );
    expect(refusal(() => checkContractSource({ ...pkg, call: { method: 'bad name', args: [] } }, '/contract', opts)).field).toBe(
      '/contract/call/method',
    );
    expect(refusal(() => checkContractSource({ ...pkg, call: { method: 'init', args: [1] } }, '/contract', opts)).field).toBe(
      '/contract/call/args/0',
    );
    expect(refusal(() => checkContractSource({ ...pkg, files: {} }, '/contract', opts)).field).toBe('/contract/files');
  });
});
