// The Fabric devnet's public surface (re-export from devnets/index.ts to publish it).
export { FabricDevnet, type StartedFabricDevnet } from './fabric-devnet.js';
export { FabricContainerDevnet, FABRIC_IMAGES } from './fabric-container-devnet.js';
export type {
  FabricNetworkConfig, FabricOrganization, FabricPeer, FabricOrderer, FabricChaincodeDefinition,
} from './network-config.js';
export type { CertAndKey } from './crypto.js';
export { testChaincode, ccaasPackage, type FabricChaincodeSpec } from './chaincode.js';
export {
  ensureFabricBinaries, fabricBinariesPresent, fabricBinary, FABRIC_VERSION, FABRIC_PSEUDO_VERSION,
} from './fabric-build.js';
