import type { NetworkConfig } from '@bsn/contract';

/** What an Ethereum adapter is given by a devnet: where the node is and a funded key for provisioning. */
export interface EthereumNetworkConfig extends NetworkConfig {
  framework: 'ethereum';
  rpcUrl: string;
  chainId: number;
  /** Blocks on top of the including block before a receipt counts as final. */
  confirmations: number;
  /** Funds accounts being provisioned on dev networks. Never set for a production network. */
  faucet?: { privateKey: string };
}

export function ethereumNetwork(options: {
  name: string;
  rpcUrl: string;
  chainId: number;
  confirmations: number;
  faucetKey: string;
}): EthereumNetworkConfig {
  return {
    framework: 'ethereum',
    name: options.name,
    rpcUrl: options.rpcUrl,
    chainId: options.chainId,
    confirmations: options.confirmations,
    faucet: { privateKey: options.faucetKey },
  };
}
