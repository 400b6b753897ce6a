import { FunctionFragment } from 'ethers';
import { InvalidInputError, type ContractSource, type FiscoBcosPackage } from '@bsn/contract';
import type { CryptoSuite } from '../protocol/crypto-suite.js';
import { abiArguments } from './abi-values.js';
import { BSN_REQUEST_SIGNATURE } from './contracts.js';
import { PackageAbi } from './package-abi.js';

/** A checked package as the adapter deploys it. */
export interface Deployable {
  creationCode: Uint8Array;
  /** The ABI as given, kept by the chain with the code's deploy transaction (FISCO's getABI). */
  abiJson: string;
  abi: PackageAbi;
  /** The initializer or migration calldata; empty for none. */
  call: Uint8Array;
}

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, { field });
}

/**
 * What the adapter deploys for a `fisco-bcos-evm` package the kit has checked (schema, sizes,
 * the ABI's selectors in the code under the package's own hash): refused, naming the field,
 * when compiled for the other crypto mode (its selectors would not be this chain's), when its
 * constructor takes arguments (behind a proxy a constructor sets the implementation's storage,
 * not the app's: state is set by `call`), or when a function's selector is the proxy's own
 * `bsnRequest`; and `call` encoded by the ABI.
 */
/**
 * Refuses a package of the other crypto mode at its `cryptoMode`, before the kit's checks (which
 * would look for its selectors under its own hash and name a function instead of the mode).
 */
export function checkCryptoMode(contract: unknown, suite: CryptoSuite, field = '/contract'): void {
  const mode = (contract as { package?: { cryptoMode?: unknown } } | null)?.package?.cryptoMode;
  if ((mode === 'standard' || mode === 'sm') && mode !== suite.mode)
    invalid(
      `${field}/package/cryptoMode`,
      `the package is compiled for ${mode === 'sm' ? 'SM (SM3 selectors)' : 'standard (Keccak-256 selectors)'} crypto, this chain is ${suite.mode}`,
    );
}

export function deployable(source: Extract<ContractSource, { kind: 'package' }>, suite: CryptoSuite, field = '/contract'): Deployable {
  checkCryptoMode(source, suite, field);
  const pkg = source.package as FiscoBcosPackage;
  const abi = new PackageAbi(suite, pkg.abi);
  pkg.abi.forEach((entry, i) => {
    if (entry.type === 'constructor' && (entry.inputs?.length ?? 0) > 0)
      invalid(
        `${field}/package/abi/${i}`,
        'a constructor with arguments cannot initialise an app behind its proxy: set its state in `call`',
      );
  });
  const reserved = Buffer.from(suite.hash(new TextEncoder().encode(BSN_REQUEST_SIGNATURE)).subarray(0, 4)).toString('hex');
  pkg.abi.forEach((entry, i) => {
    if (entry.type === 'function' && abi.selectorOf(FunctionFragment.from(entry)) === reserved)
      invalid(`${field}/package/abi/${i}`, `selector 0x${reserved} is the app proxy's own (bsnRequest)`);
  });
  let call: Uint8Array = new Uint8Array(0);
  if (source.call) {
    const fn = abi.functionOf(source.call.method, `${field}/call/method`);
    call = abi.encode(fn, abiArguments(fn.inputs, source.call.args, `${field}/call/args`));
  }
  return { creationCode: Uint8Array.from(Buffer.from(pkg.bytecode.slice(2), 'hex')), abiJson: JSON.stringify(pkg.abi), abi, call };
}
