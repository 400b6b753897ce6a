/**
 * The Ethereum chain targets this plugin contributes (its manifest's `devnets` module):
 * anvil from npm and geth built from the Go module proxy as local processes, and both again
 * in containers where an engine answers.
 */
import type { DevnetProvider } from '@bsn/contract';
import { ensureGoBinary, evmJsonRpcReader, goVersion } from '@bsn/devnets';
import { localKeySigner } from '../signer-bridge.js';
import { AnvilDevnet } from './anvil.js';
import { EthereumContainerDevnet } from './containers.js';
import { GETH, GethDevnet } from './geth.js';
import { ethereumTokenSample } from './token-sample.js';

const provider: DevnetProvider = {
  devnets: {
    anvil: () => new AnvilDevnet(),
    geth: () => new GethDevnet(),
    // Finality as declared: blocks on a clock and receipts only at a depth, where "mined" and "final"
    // differ. anvil's clock takes fractions of a second and geth's whole seconds only, so geth waits
    // for one confirmation and anvil for two: each suite run is mostly block waits (geth-final at
    // depth 2 took 724 s, all but seconds of it in cases waiting for blocks).
    'anvil-final': () => new AnvilDevnet('anvil-final').withBlockTime(0.5).withConfirmations(2),
    'geth-final': () => new GethDevnet('geth-final').withBlockPeriod(1).withConfirmations(1),
    'anvil-container': () => new EthereumContainerDevnet('anvil'),
    'geth-container': () => new EthereumContainerDevnet('geth'),
  },
  local: 'anvil',
  async prepare(progress) {
    if (!goVersion()) {
      progress('Go is not installed: geth will not be built and its checks will be skipped.');
      return;
    }
    await ensureGoBinary(GETH, progress);
  },
  reader: (network) => evmJsonRpcReader(String((network as { rpcUrl?: unknown }).rpcUrl)),
  // The dev network's faucet key: the adapter makes its holder the owner of the interchain contract it deploys.
  operator: (network) => {
    const key = (network as { faucet?: { privateKey?: unknown } }).faucet?.privateKey;
    if (typeof key !== 'string') throw new Error(`network ${network.name} has no faucet key: its operator signs outside the devnet`);
    return localKeySigner(key);
  },
  tokenSample: ethereumTokenSample,
};
export default provider;

export { AnvilDevnet } from './anvil.js';
export { GethDevnet, GETH } from './geth.js';
export { EthereumContainerDevnet } from './containers.js';
export { ethereumNetwork, type EthereumNetworkConfig } from './ethereum-network.js';
