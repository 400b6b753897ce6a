/**
 * Builds the kit's sample token for FISCO BCOS (samples/token) for one crypto mode, as the
 * adapter's own contracts are built (scripts/build-contracts.mjs): the Yul sources' `{{selector
 * "sig"}}` / `{{topic "sig"}}` placeholders filled with Keccak-256 or SM3 of the signature,
 * then compiled by solc from npm (a dev dependency, like the devnets themselves). Never
 * shipped as bytecode: built when the suite asks for the sample.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { AbiEntry, FiscoBcosPackage } from '@bsn/contract';

const SAMPLES = new URL('../../samples/token/', import.meta.url);

type Mode = FiscoBcosPackage['cryptoMode'];
const HASHES: Record<Mode, (text: string) => string> = {
  standard: (text) => Buffer.from(keccak_256(Buffer.from(text, 'utf8'))).toString('hex'),
  sm: (text) => createHash('sm3').update(text, 'utf8').digest('hex'),
};

const read = (file: string): string => readFileSync(new URL(file, SAMPLES), 'utf8');

/** The source with `// @include <file>` pasted in, comments dropped (they name placeholders in prose), placeholders filled. */
export function instantiate(file: string, mode: Mode): string {
  const expanded = read(file).replace(/^[ \t]*\/\/ @include (\S+)[ \t]*$/gm, (_, inc: string) => read(inc));
  return expanded.replace(/\/\/.*$/gm, '').replace(/\{\{(selector|topic) "([^"]+)"\}\}/g, (_, kind: string, signature: string) => {
    const h = HASHES[mode](signature);
    return '0x' + (kind === 'selector' ? h.slice(0, 8) : h);
  });
}

type Solc = { compile(input: string): string };

export function compileSample(name: 'SampleToken' | 'SampleTokenV2', mode: Mode): FiscoBcosPackage {
  const solc = createRequire(import.meta.url)('solc') as Solc;
  const input = {
    language: 'Yul',
    sources: { [`${name}.yul`]: { content: instantiate(`${name}.yul`, mode) } },
    settings: {
      evmVersion: 'london',
      optimizer: { enabled: true, runs: 200, details: { yul: true } },
      outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: Array<{ severity: string; formattedMessage: string }>;
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
  };
  const error = output.errors?.find((e) => e.severity === 'error');
  if (error) throw new Error(`solc could not build ${name} (${mode}): ${error.formattedMessage}`);
  const bytecode = output.contracts?.[`${name}.yul`]?.[name]?.evm.bytecode.object;
  if (!bytecode) throw new Error(`solc produced no ${name} (${mode})`);
  return { format: 'fisco-bcos-evm', cryptoMode: mode, abi: JSON.parse(read(`${name}.abi.json`)) as AbiEntry[], bytecode: `0x${bytecode}` };
}
