/**
 * The FISCO BCOS chain targets this plugin contributes (its manifest's `devnets` module): the
 * 3.x emulator in standard crypto (`fisco-bcos`) and in SM crypto (`fisco-bcos-sm`). `prepare`
 * builds the FISCO Go SDK probe the faithfulness tests sign with; `reader` reads the node with
 * bare JSON-RPC so the suite checks what the adapter says against the chain itself.
 */
import type { DevnetProvider } from '@bsn/contract';
import { devnetOperator } from './devnet-operator.js';
import { fiscoChainReader } from './fisco-chain-reader.js';
import { FiscoEmulatorDevnet } from './fisco-emulator-devnet.js';
import { prepareGoSdkProbe } from './go-sdk-probe.js';
import { fiscoTokenSample } from './token-sample.js';

const provider: DevnetProvider = {
  devnets: {
    'fisco-bcos': () => new FiscoEmulatorDevnet('fisco-bcos', 'standard'),
    'fisco-bcos-sm': () => new FiscoEmulatorDevnet('fisco-bcos-sm', 'sm'),
  },
  local: 'fisco-bcos',
  prepare: (progress) => prepareGoSdkProbe(progress),
  reader: (network) => fiscoChainReader(network),
  tokenSample: fiscoTokenSample,
  operator: (network) => devnetOperator(network),
};
export default provider;

export { FiscoEmulatorDevnet } from './fisco-emulator-devnet.js';
