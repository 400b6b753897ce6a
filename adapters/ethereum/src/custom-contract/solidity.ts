import { createRequire } from 'node:module';
import { UnavailableError, checkContractPackage, type EvmBytecodePackage, type SoliditySourcePackage } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import { invalidInput } from '../validation.js';

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string; sourceLocation?: { file: string } }>;
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

/** The settings the adapter's own contracts are built with (scripts/build-contracts.mjs). */
const SETTINGS = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: 'none' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

type Solc = { compile(input: string, callbacks?: unknown): string; version(): string };

function loadSolc(): Solc {
  try {
    return createRequire(import.meta.url)('solc') as Solc;
  } catch (error) {
    throw new UnavailableError('compiling Solidity needs solc (npm "solc"), which is not installed beside this adapter', {
      detail: { framework: FRAMEWORK, message: error instanceof Error ? error.message : String(error) },
    });
  }
}

/**
 * Compiles a `solidity` package with solc from npm into the ABI and code the adapter deploys
 * (then checked like any `evm-bytecode` package). Imports resolve among the package's files
 * only; a compile error is InvalidInputError naming the file it is in, and nothing is deployed.
 */
export function compileSolidity(pkg: SoliditySourcePackage, field = '/contract/package'): EvmBytecodePackage {
  const sources = Object.fromEntries(Object.entries(pkg.sources).map(([file, content]) => [file, { content }]));
  const solc = loadSolc();
  const output = JSON.parse(
    solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS }), {
      import: (path: string) => ({ error: `imports resolve among the package's sources only (${path} is not one)` }),
    }),
  ) as SolcOutput;
  const error = (output.errors ?? []).find((e) => e.severity === 'error');
  if (error) {
    const file = error.sourceLocation?.file;
    invalidInput(
      file && Object.hasOwn(pkg.sources, file) ? `${field}/sources/${file.replace(/~/g, '~0').replace(/\//g, '~1')}` : `${field}/sources`,
      `solc ${solc.version()}: ${error.formattedMessage}`,
    );
  }
  const [file, name] = pkg.contract.includes(':') ? pkg.contract.split(':') : [undefined, pkg.contract];
  const found = Object.entries(output.contracts ?? {}).filter(
    ([f, cs]) => (file === undefined || f === file) && name !== undefined && cs[name],
  );
  if (found.length !== 1)
    invalidInput(
      `${field}/contract`,
      found.length === 0 ? `no contract ${pkg.contract} in the sources` : `${name} is in ${found.length} files: name it File.sol:${name}`,
    );
  const c = found[0]![1][name!]!;
  const compiled: EvmBytecodePackage = {
    format: 'evm-bytecode',
    abi: c.abi as EvmBytecodePackage['abi'],
    bytecode: `0x${c.evm.bytecode.object}`,
    deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
  };
  if (compiled.bytecode === '0x') invalidInput(`${field}/contract`, `${pkg.contract} is abstract or an interface: it has no code`);
  return checkContractPackage(compiled, field) as EvmBytecodePackage;
}
