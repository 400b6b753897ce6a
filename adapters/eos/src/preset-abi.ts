/** The preset contract's ABI as built and shipped with the plugin (the verifier decodes `emit` with it, offline). */
import { readFileSync } from 'node:fs';
import { ContractAbi } from './antelope/index.js';
import { PRESET_CONTRACT } from './deploy.js';

let abi: ContractAbi | undefined;

export function presetAbi(): ContractAbi {
  abi ??= new ContractAbi(JSON.parse(readFileSync(PRESET_CONTRACT.abi, 'utf8')));
  return abi;
}
