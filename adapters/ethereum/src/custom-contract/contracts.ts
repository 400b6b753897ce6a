import { Interface, getCreateAddress, id, keccak256, toUtf8Bytes } from 'ethers';
import { BsnCustomAppProxy, BsnCustomApps } from '../generated/artifacts.js';
import { addressOf, localKeySigner } from '../signer-bridge.js';

/** The registry of apps that bring their own contract, and the proxy each such app lives at. */
export const customAppsInterface = new Interface(BsnCustomApps.abi);
export const customProxyInterface = new Interface(BsnCustomAppProxy.abi);
export const customArtifacts = { BsnCustomApps, BsnCustomAppProxy };

/** What `BSN_CUSTOM_APPS()` answers on a registry this adapter can use. */
export const CUSTOM_APPS_PROTOCOL = 'bsn.ethereum.custom-apps/1';

/** The proxy's own entry point (an idempotent call); a package whose ABI has this selector is refused. */
export const BSN_REQUEST_SIGNATURE = 'bsnRequest(bytes32,bytes)';
export const BSN_REQUEST_SELECTOR = id(BSN_REQUEST_SIGNATURE).slice(0, 10);

/** Base slot of the proxy's requestKey → record mapping (BsnCustomAppProxy.REQUESTS_SLOT). */
export const REQUESTS_SLOT = '0x' + (BigInt(id('bsn.custom-app.requests')) - 1n).toString(16).padStart(64, '0');

export const CUSTOM_TOPICS = {
  contractPublished: customAppsInterface.getEvent('ContractPublished')!.topicHash,
  requestExecuted: customProxyInterface.getEvent('RequestExecuted')!.topicHash,
} as const;

/**
 * The key that deploys the custom-app registry on a dev network: like the preset registry's
 * (registry-contract.ts), derived from the chain id and a fixed label, so every adapter
 * instance finds the same registry at nonce 0 of this account without any state.
 */
export function customAppsDeployerKey(chainId: number): string {
  return keccak256(toUtf8Bytes(`bsn/adapter-ethereum/custom-apps-deployer/${CUSTOM_APPS_PROTOCOL}/chain:${chainId}`));
}

export function deterministicCustomAppsAddress(chainId: number): string {
  return getCreateAddress({ from: addressOf(localKeySigner(customAppsDeployerKey(chainId)).publicKey), nonce: 0 });
}
