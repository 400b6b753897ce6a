/**
 * A contract an app brings instead of the preset data contract, shipped in the form its
 * framework runs (schemas/contract-package.schema.json). The kit checks a package before
 * anything touches a chain (`checkContractPackage`); the adapter deploys it with the
 * framework's own mechanism and calls it by the methods its interface declares.
 */

/** One entry of a Solidity JSON ABI, as solc emits it. */
export interface AbiParameter {
  name?: string;
  type: string;
  internalType?: string;
  indexed?: boolean;
  components?: AbiParameter[];
}

export interface AbiEntry {
  type: 'function' | 'event' | 'error' | 'constructor' | 'fallback' | 'receive';
  name?: string;
  inputs?: AbiParameter[];
  outputs?: AbiParameter[];
  stateMutability?: 'pure' | 'view' | 'nonpayable' | 'payable';
  anonymous?: boolean;
}

/** EVM: the ABI and the creation bytecode the developer compiled (solc's `evm.bytecode.object`). */
export interface EvmBytecodePackage {
  format: 'evm-bytecode';
  abi: AbiEntry[];
  /** Creation code, 0x-hex, libraries linked. */
  bytecode: string;
  /** Runtime code as the compiler gave it (solc's `evm.deployedBytecode.object`): sharpens the ABI check. */
  deployedBytecode?: string;
}

/** EVM: Solidity sources the adapter compiles with solc (from npm) on request. */
export interface SoliditySourcePackage {
  format: 'solidity';
  /** File name → source text; imports resolve among these files only. */
  sources: Record<string, string>;
  /** The contract to deploy, `File.sol:Name` or a name found in exactly one file. */
  contract: string;
}

/** Hyperledger Fabric: a Node.js chaincode package, run as a service. */
export interface FabricNodeChaincodePackage {
  format: 'fabric-chaincode-node';
  /** Relative path → file content, base64. Must hold package.json. */
  files: Record<string, string>;
}

/** EOS (Antelope): the contract's WASM and ABI, set on the app's account with setcode/setabi. */
export interface EosWasmPackage {
  format: 'eos-wasm';
  /** base64 */
  wasm: string;
  /** The Antelope ABI (eosio::abi/1.x) as JSON. */
  abi: { version: string; actions?: unknown[]; structs?: unknown[]; [k: string]: unknown };
}

/** FISCO BCOS: EVM bytecode like Ethereum's, compiled for the chain's crypto mode. */
export interface FiscoBcosPackage {
  format: 'fisco-bcos-evm';
  abi: AbiEntry[];
  bytecode: string;
  deployedBytecode?: string;
  /** `sm`: compiled with solc-gm (SM3 selectors and event topics); `standard`: keccak-256. */
  cryptoMode: 'standard' | 'sm';
}

export type ContractPackage = EvmBytecodePackage | SoliditySourcePackage | FabricNodeChaincodePackage | EosWasmPackage | FiscoBcosPackage;

export type ContractPackageFormat = ContractPackage['format'];

/** A call run against the app's fresh storage at creation (an initializer) or at an upgrade (a migration). */
export interface ContractCall {
  method: string;
  args: string[];
}
