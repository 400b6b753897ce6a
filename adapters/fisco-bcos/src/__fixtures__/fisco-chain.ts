import { BsnIdentity, generatePrivateKey, privateKeySigner, type Adapter, type Signer } from '@bsn/contract';
import { SILENT_LOGGER } from '@bsn/contract/testing';
import type { FiscoNetworkConfig } from '../config.js';
import { deployRegistry } from '../contracts/deploy-registry.js';
import { startEmulator, type RunningEmulator } from '../emulator/emulator.js';
import factory from '../index.js';
import type { CryptoMode } from '../protocol/crypto-suite.js';

export interface TestChain {
  emulator: RunningEmulator;
  network: FiscoNetworkConfig;
  adapter: Adapter;
  /** The registry's deployer: the group's operator, who pins delivery attesters. */
  operator: Signer;
  /** A fresh signer of this chain's algorithm, derived from a new BSN identity. */
  signer(): Signer;
  close(): Promise<void>;
}

/** An emulated group in this process with the registry deployed, and the adapter connected to it. */
export async function startTestChain(
  mode: CryptoMode,
  overrides: Partial<FiscoNetworkConfig> = {},
  chain: { sealDelayMs?: number } = {},
): Promise<TestChain> {
  const emulator = await startEmulator({ mode, ...chain });
  const algorithm = mode === 'sm' ? 'sm2' : 'secp256k1';
  const operator = privateKeySigner(algorithm, generatePrivateKey(algorithm));
  const { registry } = await deployRegistry({ rpcUrl: emulator.url, crypto: mode, signer: operator });
  const network: FiscoNetworkConfig = {
    framework: 'fisco-bcos',
    name: `test-${mode}`,
    rpcUrl: emulator.url,
    crypto: mode,
    registry,
    ...overrides,
  };
  const adapter = await factory.connect(network, { logger: SILENT_LOGGER, dataDir: '/tmp' });
  return {
    emulator,
    network,
    adapter,
    operator,
    signer: () => BsnIdentity.generate().keyFor('fisco-bcos', algorithm).signer,
    async close() {
      await adapter.close();
      await emulator.close();
    },
  };
}
