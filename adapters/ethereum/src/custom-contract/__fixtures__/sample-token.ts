// The kit's sample token (samples/token), as packages: sources for solc-on-request, and
// compiled here with the same solc from npm the adapter uses (never committed as bytecode).
import { readFileSync } from 'node:fs';
import type { EvmBytecodePackage, SoliditySourcePackage } from '@bsn/contract';
import { compileSolidity } from '../solidity.js';

const dir = new URL('../../../samples/token/', import.meta.url);
const source = (file: string) => readFileSync(new URL(file, dir), 'utf8');

export const tokenSources = (contract: 'SampleToken' | 'SampleTokenV2'): SoliditySourcePackage => ({
  format: 'solidity',
  sources: {
    'SampleToken.sol': source('SampleToken.sol'),
    ...(contract === 'SampleTokenV2' && { 'SampleTokenV2.sol': source('SampleTokenV2.sol') }),
  },
  contract,
});

export const compiledToken = (contract: 'SampleToken' | 'SampleTokenV2'): EvmBytecodePackage => compileSolidity(tokenSources(contract));
