import { Interface } from 'ethers';

/**
 * The interfaces of BsnCustomApps and BsnCustomAppProxy (contracts/*.yul), as ethers fragments
 * (contract-builds.test keeps them equal to the Yul sources' placeholders); selectors and topics
 * under the chain's hash come from ChainAbi. The errors the preset contracts share keep their
 * names, so receiptFailure types them the same way.
 */
export const customAppsInterface = new Interface([
  'function createApp(string appId, bytes members, uint8 mode, address implementation, bytes init) returns (address app)',
  'function upgrade(string appId, address implementation, bytes migration)',
  'function addMember(string appId, address account)',
  'function removeMember(string appId, address account)',
  'function setFrozen(string appId, bool frozen)',
  'function appInfo(string appId) view returns (address app, address admin, bytes members, bool frozen, uint64 version, uint8 mode, uint64 createdBlock, address implementation)',
  'function implementationAt(string appId, uint64 version) view returns (address)',
  'function canWrite(bytes32 appIdHash, address account) view returns (bool)',
  'function presetRegistry() view returns (address)',
  'function BSN_CUSTOM_APPS() view returns (string)',
  'event AppCreated(bytes32 indexed appIdHash, string appId, address app, address admin)',
  'event ContractPublished(bytes32 indexed appIdHash, uint64 version, address implementation)',
  'error AppExists(string appId)',
  'error UnknownApp(string appId)',
  'error NotAdmin(address account)',
  'error AdminIsPermanentMember(address admin)',
  'error InvalidInput(string field, string reason)',
  'error ImplementationHasNoCode(address implementation)',
  // The proxy's:
  'function bsnRequest(bytes32 requestKey, bytes data)',
  'function upgradeTo(address implementation, bytes data)',
  'event RequestExecuted(bytes32 indexed requestKey, bytes24 contentHash)',
  'error NotWriter(address account)',
  'error RequestAlreadyExecuted(bytes32 requestKey, bytes24 contentHash, uint64 blockNumber)',
]);

/** What `BSN_CUSTOM_APPS()` answers: how the adapter knows it found the right registry. */
export const CUSTOM_APPS_ID = 'bsn.fisco-bcos.custom-apps/1';

/** The proxy's own entry point; a package whose ABI has its selector (under the chain's hash) is refused. */
export const BSN_REQUEST_SIGNATURE = 'bsnRequest(bytes32,bytes)';
