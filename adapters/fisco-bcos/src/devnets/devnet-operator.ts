import { privateKeySigner, type NetworkConfig, type Signer } from '@bsn/contract';

/**
 * The group operator's signer on a dev network: the registry's deployer, whose key the devnet
 * put in the network config (`operator.privateKey`), in the chain's algorithm. Elsewhere the
 * operator signs outside the devnet.
 */
export function devnetOperator(network: NetworkConfig): Signer {
  const key = (network as { operator?: { privateKey?: unknown } }).operator?.privateKey;
  if (typeof key !== 'string') throw new Error(`network ${network.name} names no operator key: its operator signs outside the devnet`);
  const algorithm = (network as { crypto?: unknown }).crypto === 'sm' ? 'sm2' : 'secp256k1';
  return privateKeySigner(algorithm, Uint8Array.from(Buffer.from(key.replace(/^0x/, ''), 'hex')));
}
