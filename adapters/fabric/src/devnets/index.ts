/**
 * The Fabric chain targets this plugin contributes (its manifest's `devnets` module): a real
 * Fabric v2.5 network (one orderer, two peer orgs, chaincode as a service) as local processes,
 * built from the Go module proxy, and the same in containers where an engine answers. Both
 * serve BSN's preset data contract: the chaincode folder this plugin ships, as `bsn-preset-kv`.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { privateKeySigner, type DevnetProvider, type Signer } from '@bsn/contract';
import { goVersion } from '@bsn/devnets';
import { FabricContainerDevnet } from './fabric-container-devnet.js';
import { FabricDevnet } from './fabric-devnet.js';
import { prepareFabricBinaries } from './fabric-build.js';
import { fabricChainReader } from './chain-reader.js';
import type { FabricNetworkConfig } from './network-config.js';
import { fabricTokenSample } from './token-sample.js';

/** The preset chaincode the plugin ships (`chaincode/` beside `src/` and `dist/`). */
export const PRESET_CHAINCODE = { name: 'bsn-preset-kv', dir: fileURLToPath(new URL('../../chaincode', import.meta.url)) };

function withPresetChaincode<D extends FabricDevnet | FabricContainerDevnet>(devnet: D): D {
  if (existsSync(`${PRESET_CHAINCODE.dir}/package.json`)) devnet.withChaincode(PRESET_CHAINCODE);
  return devnet;
}

/**
 * The operator of a devnet: the admin (OU=admin, from cryptogen) of the org the adapter acts for,
 * signing with its own key; the adapter presents the admin's certificate for it.
 */
function orgAdminSigner(network: FabricNetworkConfig): Signer {
  const wanted = (network as { organization?: unknown }).organization ?? network.organizations[0]!.mspId;
  const org = network.organizations.find((o) => o.mspId === wanted) ?? network.organizations[0]!;
  const d = createPrivateKey(org.admin.privateKey).export({ format: 'jwk' }).d!;
  return privateKeySigner('secp256r1', new Uint8Array(Buffer.from(d, 'base64url')));
}

/** The process devnet serving the preset chaincode (what `--target fabric` starts). */
export const presetDevnet = (): FabricDevnet => withPresetChaincode(new FabricDevnet());

const provider: DevnetProvider = {
  devnets: {
    fabric: presetDevnet,
    'fabric-container': () => withPresetChaincode(new FabricContainerDevnet()),
  },
  local: 'fabric',
  async prepare(progress) {
    if (!goVersion()) {
      progress('Go is not installed: Hyperledger Fabric will not be built and its checks will be skipped.');
      return;
    }
    await prepareFabricBinaries(progress);
  },
  reader: (network) => fabricChainReader(network as FabricNetworkConfig),
  operator: (network) => orgAdminSigner(network as FabricNetworkConfig),
  tokenSample: fabricTokenSample,
};
export default provider;

export { FabricDevnet } from './fabric-devnet.js';
export type { StartedFabricDevnet } from './started-devnet.js';
export { FabricContainerDevnet, FABRIC_IMAGES } from './fabric-container-devnet.js';
export type { FabricNetworkConfig, FabricOrganization, FabricPeer, FabricOrderer, FabricChaincodeDefinition } from './network-config.js';
export type { CertAndKey } from './crypto.js';
export { testChaincode, ccaasPackage, type FabricChaincodeSpec } from './chaincode.js';
export { ensureFabricBinaries, fabricBinariesPresent, fabricBinary, FABRIC_VERSION, FABRIC_PSEUDO_VERSION } from './fabric-build.js';
