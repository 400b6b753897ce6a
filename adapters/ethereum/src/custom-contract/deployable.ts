import { FunctionFragment, Interface } from 'ethers';
import type { ContractSource, EvmBytecodePackage } from '@bsn/contract';
import { invalidInput } from '../validation.js';
import { abiArguments } from './abi-values.js';
import { BSN_REQUEST_SELECTOR } from './contracts.js';
import { compileSolidity } from './solidity.js';

/** A checked package as BsnCustomApps takes it (its `Code` struct). */
export interface Deployable {
  creationCode: string;
  /** Calldata run through the proxy once the code is in place; '0x' for none. */
  call: string;
  abiJson: string;
  abi: Interface;
}

/** The function `method` names in `abi`: a name, or a full signature for an overloaded one. */
export function functionOf(abi: Interface, method: string, field: string): FunctionFragment {
  let fn: FunctionFragment | null;
  try {
    fn = abi.getFunction(method);
  } catch {
    return invalidInput(field, `${method} is overloaded in the contract's ABI`);
  }
  if (!fn) {
    const names = [...new Set(abi.fragments.filter((f) => f.type === 'function').map((f) => (f as FunctionFragment).name))];
    invalidInput(field, `the contract has no method ${JSON.stringify(method)} (it has ${names.join(', ')})`);
  }
  return fn;
}

/**
 * What BsnCustomApps deploys for a `package` contract (already checked by the kit): a Solidity
 * package compiled first, the ABI refused when it shadows the proxy's own entry point or needs
 * constructor arguments (behind a proxy a constructor sets the implementation's storage, not
 * the app's: the app's state is set by `call`), and `call` encoded by the ABI.
 */
export function deployable(source: Extract<ContractSource, { kind: 'package' }>, field = '/contract'): Deployable {
  const pkg: EvmBytecodePackage =
    source.package.format === 'solidity' ? compileSolidity(source.package, `${field}/package`) : (source.package as EvmBytecodePackage);
  const abi = new Interface(pkg.abi as never);
  pkg.abi.forEach((entry, i) => {
    if (entry.type === 'constructor' && (entry.inputs?.length ?? 0) > 0)
      invalidInput(
        `${field}/package/abi/${i}`,
        'a constructor with arguments cannot initialise an app behind its proxy: set its state in `call` (an initializer)',
      );
  });
  const shadow = pkg.abi.findIndex((e) => e.type === 'function' && FunctionFragment.from(e).selector === BSN_REQUEST_SELECTOR);
  if (shadow !== -1) invalidInput(`${field}/package/abi/${shadow}`, `selector ${BSN_REQUEST_SELECTOR} is the app proxy's own (bsnRequest)`);
  let call = '0x';
  if (source.call) {
    const fn = functionOf(abi, source.call.method, `${field}/call/method`);
    call = abi.encodeFunctionData(fn, abiArguments(fn.inputs, source.call.args, `${field}/call/args`));
  }
  return { creationCode: pkg.bytecode, call, abiJson: JSON.stringify(pkg.abi), abi };
}
