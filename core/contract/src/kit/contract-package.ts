/**
 * The checks of a contract package before anything touches a chain: the schema
 * (schemas/contract-package.schema.json), sizes in bytes, and the interface against the code
 * where the framework lets one check it. Every refusal is InvalidInputError naming the field
 * under `field` (`/contract/package/abi/3`), so a bad package deploys nothing.
 *
 * The EVM check is that every ABI function can be dispatched by the code (evm-code.ts). It
 * cannot catch an ABI that names the right functions with wrong return types or mutability,
 * events the code never emits (an inherited interface may declare some), or code that
 * dispatches a selector and then does something else; and with only creation code given, a
 * selector that appears in the constructor alone passes.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { AbiEntry, ContractPackage } from '../contract/contract-package.js';
import { sm3 } from '../crypto/sm3.js';
import { InvalidInputError } from '../errors/errors.js';
import { formatViolations, validateSchema } from '../schemas/validator.js';
import { abiFunctions } from './evm-abi.js';
import { containsBytes, mayDispatch, pushedSmallConstants } from './evm-code.js';

/** Largest package parts accepted, in bytes (and why each is that size). */
export const CONTRACT_PACKAGE_LIMITS = {
  /** EIP-3860's cap on creation code. */
  evmInitcodeBytes: 49_152,
  /** EIP-170's cap on deployed code. */
  evmRuntimeBytes: 24_576,
  /** A JSON ABI; the largest solc emits for code under EIP-170 is far below. */
  abiJsonBytes: 262_144,
  /** Solidity sources compiled on request, all files together. */
  soliditySourceBytes: 1_048_576,
  /** A Fabric Node.js chaincode package, decoded, all files together. */
  chaincodeBytes: 16_777_216,
  /** An EOS contract's WASM, decoded. */
  eosWasmBytes: 1_048_576,
} as const;

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

function base64Length(b64: string): number {
  return Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

/** Checks `pkg` and returns it typed; `field` is where the package sits in the request. */
export function checkContractPackage(pkg: unknown, field = '/contract/package'): ContractPackage {
  const result = validateSchema('contract-package', pkg);
  if (!result.ok) {
    const violations = result.violations.map((v) => ({ ...v, pointer: field + v.pointer }));
    throw new InvalidInputError(formatViolations('contract package', violations), { field: violations[0]?.pointer ?? field });
  }
  const p = pkg as ContractPackage;
  switch (p.format) {
    case 'evm-bytecode':
      checkEvm(p.abi, p.bytecode, p.deployedBytecode, field, (b) => keccak_256(b));
      break;
    case 'fisco-bcos-evm':
      checkEvm(p.abi, p.bytecode, p.deployedBytecode, field, p.cryptoMode === 'sm' ? sm3 : (b) => keccak_256(b));
      break;
    case 'solidity': {
      const total = Object.values(p.sources).reduce((n, s) => n + utf8Length(s), 0);
      if (total > CONTRACT_PACKAGE_LIMITS.soliditySourceBytes)
        invalid(`${field}/sources`, `${total} bytes of source, more than ${CONTRACT_PACKAGE_LIMITS.soliditySourceBytes}`);
      break;
    }
    case 'fabric-chaincode-node': {
      const total = Object.values(p.files).reduce((n, s) => n + base64Length(s), 0);
      if (total > CONTRACT_PACKAGE_LIMITS.chaincodeBytes)
        invalid(`${field}/files`, `${total} bytes of chaincode, more than ${CONTRACT_PACKAGE_LIMITS.chaincodeBytes}`);
      let manifest: unknown;
      try {
        manifest = JSON.parse(Buffer.from(p.files['package.json']!, 'base64').toString('utf8'));
      } catch {
        invalid(`${field}/files/package.json`, 'is not JSON (base64 of the package.json text)');
      }
      if (typeof manifest !== 'object' || manifest === null || typeof (manifest as { name?: unknown }).name !== 'string')
        invalid(`${field}/files/package.json`, 'names no package ("name")');
      checkChaincodeManifest(manifest as NodeManifest, p.files, `${field}/files`);
      break;
    }
    case 'eos-wasm': {
      const size = base64Length(p.wasm);
      if (size > CONTRACT_PACKAGE_LIMITS.eosWasmBytes)
        invalid(`${field}/wasm`, `${size} bytes, more than ${CONTRACT_PACKAGE_LIMITS.eosWasmBytes}`);
      const magic = Buffer.from(p.wasm.slice(0, 12), 'base64');
      if (magic.length < 4 || magic.readUInt32BE(0) !== 0x0061736d)
        invalid(`${field}/wasm`, 'is not a WebAssembly module (no \\0asm header)');
      const names = new Set<string>();
      (p.abi.actions ?? []).forEach((a, i) => {
        const name = (a as { name: string }).name;
        if (names.has(name)) invalid(`${field}/abi/actions/${i}/name`, `action ${name} is declared twice`);
        names.add(name);
      });
      break;
    }
  }
  return p;
}

interface NodeManifest {
  main?: unknown;
  scripts?: unknown;
}

/**
 * What makes a Node.js package a Fabric chaincode a peer can run as a service: its `main` names
 * one of its files (the shim refuses a package.json without one), and `scripts.start` starts it
 * with fabric-chaincode-node (the shim's `start` or `server`), as Fabric's own Node chaincode
 * packages declare.
 */
function checkChaincodeManifest(manifest: NodeManifest, files: Record<string, string>, field: string): void {
  const main = manifest.main;
  if (typeof main !== 'string' || main.length === 0)
    return invalid(`${field}/package.json`, '"main" must name the module that exports the contracts (fabric-chaincode-node needs it)');
  const path = main.replace(/^\.\//, '');
  const candidates = [path, `${path}.js`, `${path}/index.js`];
  if (!candidates.some((c) => files[c] !== undefined))
    invalid(`${field}/package.json`, `"main" names ${JSON.stringify(main)}, which is not a file of the package`);
  const start = (manifest.scripts as { start?: unknown } | undefined)?.start;
  if (typeof start !== 'string' || !/\bfabric-chaincode-node\s+(start|server)\b/.test(start))
    invalid(`${field}/package.json`, '"scripts.start" must run fabric-chaincode-node (start or server): it is not a Node.js chaincode');
}

function checkEvm(
  abi: AbiEntry[],
  bytecode: string,
  deployed: string | undefined,
  field: string,
  hash: (b: Uint8Array) => Uint8Array,
): void {
  const abiSize = utf8Length(JSON.stringify(abi));
  if (abiSize > CONTRACT_PACKAGE_LIMITS.abiJsonBytes)
    invalid(`${field}/abi`, `${abiSize} bytes of ABI JSON, more than ${CONTRACT_PACKAGE_LIMITS.abiJsonBytes}`);
  const creation = hexBytes(bytecode);
  if (creation.length > CONTRACT_PACKAGE_LIMITS.evmInitcodeBytes)
    invalid(
      `${field}/bytecode`,
      `${creation.length} bytes of creation code, more than EIP-3860's ${CONTRACT_PACKAGE_LIMITS.evmInitcodeBytes}`,
    );
  let code = creation;
  if (deployed !== undefined) {
    const runtime = hexBytes(deployed);
    if (runtime.length > CONTRACT_PACKAGE_LIMITS.evmRuntimeBytes)
      invalid(
        `${field}/deployedBytecode`,
        `${runtime.length} bytes of runtime code, more than EIP-170's ${CONTRACT_PACKAGE_LIMITS.evmRuntimeBytes}`,
      );
    if (!containsBytes(creation, runtime)) invalid(`${field}/deployedBytecode`, 'is not the runtime part of the creation code (bytecode)');
    code = runtime;
  }
  const functions = abiFunctions(abi, `${field}/abi`);
  if (functions.length === 0) invalid(`${field}/abi`, 'declares no function: nothing could be called');
  const pushed = pushedSmallConstants(code);
  for (const { signature, index } of functions) {
    const selector = hash(new TextEncoder().encode(signature)).slice(0, 4);
    if (!mayDispatch(code, selector, pushed)) {
      const hex = Array.from(selector, (b) => b.toString(16).padStart(2, '0')).join('');
      invalid(`${field}/abi/${index}`, `the code does not dispatch ${signature} (selector 0x${hex}): the ABI does not match the bytecode`);
    }
  }
}
