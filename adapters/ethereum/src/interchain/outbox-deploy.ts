import { AbiCoder, concat, getAddress, getCreateAddress, keccak256, toUtf8Bytes } from 'ethers';
import { InvalidInputError } from '@bsn/contract';
import type { ChainReader } from '../chain.js';
import { deployAtNonceZero, type DeployDeps } from '../nonce-zero-deploy.js';
import { addressOf, localKeySigner } from '../signer-bridge.js';
import { OUTBOX_PROTOCOL, outboxInterface } from './outbox.js';

/**
 * Where the packet outbox is. Like the registry: on a dev network (with a faucet) it is the
 * contract created at nonce 0 of a deployer key derived from the chain id and a fixed label,
 * so every adapter instance finds the same outbox without state; the key is public by
 * construction. Elsewhere the operator deploys one and names it (`outbox` in the network
 * config). Either way the outbox must answer BSN_OUTBOX and point at this adapter's registry.
 */
export function outboxDeployerKey(chainId: number): string {
  return keccak256(toUtf8Bytes(`bsn/adapter-ethereum/outbox-deployer/${OUTBOX_PROTOCOL}/chain:${chainId}`));
}

export function deterministicOutboxAddress(chainId: number): string {
  return getCreateAddress({ from: addressOf(localKeySigner(outboxDeployerKey(chainId)).publicKey), nonce: 0 });
}

export interface OutboxDeps extends DeployDeps {
  /** The registry whose apps may send (the outbox checks membership through it). */
  registry: string;
  /** Creation code of BsnPacketOutbox (from the compiled artifacts). */
  bytecode: string;
  /** The operator who may pin delivery attesters: on a dev network, the holder of its faucet key. */
  owner: string;
}

/** Finds (or, on a dev network, deploys) the outbox and checks it is one for this registry. */
export async function openOutbox(deps: OutboxDeps, configured?: string): Promise<string> {
  const { config, chain } = deps;
  if (configured) {
    await check(chain, configured, deps.registry);
    return getAddress(configured);
  }
  if (!config.faucet) {
    throw new InvalidInputError('this network has no faucet to deploy a packet outbox: deploy one and name it in the network config', {
      field: '/outbox',
    });
  }
  const address = deterministicOutboxAddress(config.chainId);
  if ((await chain.code(address)) === '0x') await deploy(deps, address);
  await check(chain, address, deps.registry);
  deps.logger.debug('ethereum adapter: packet outbox found', { outbox: address });
  return address;
}

async function check(chain: ChainReader, address: string, registry: string): Promise<void> {
  if ((await chain.code(address)) === '0x') throw new InvalidInputError(`no contract at outbox address ${address}`, { field: '/outbox' });
  let protocol: string | undefined;
  let pointsAt: string | undefined;
  try {
    [protocol] = outboxInterface.decodeFunctionResult(
      'BSN_OUTBOX',
      await chain.call({ to: address, data: outboxInterface.encodeFunctionData('BSN_OUTBOX') }),
    );
    [pointsAt] = outboxInterface.decodeFunctionResult(
      'registry',
      await chain.call({ to: address, data: outboxInterface.encodeFunctionData('registry') }),
    );
  } catch {
    protocol = undefined;
  }
  if (protocol !== OUTBOX_PROTOCOL) {
    throw new InvalidInputError(`the contract at ${address} is not a ${OUTBOX_PROTOCOL} packet outbox`, { field: '/outbox' });
  }
  if (getAddress(String(pointsAt)) !== getAddress(registry)) {
    throw new InvalidInputError(`the packet outbox at ${address} serves registry ${pointsAt}, not ${registry}`, { field: '/outbox' });
  }
}

function deploy(deps: OutboxDeps, address: string): Promise<void> {
  return deployAtNonceZero(deps, {
    deployerKey: outboxDeployerKey(deps.config.chainId),
    address,
    data: concat([deps.bytecode, AbiCoder.defaultAbiCoder().encode(['address', 'address'], [deps.registry, deps.owner])]),
    name: 'packet outbox',
    role: 'outbox',
    missing: () => `the packet outbox did not appear at ${address}; deploy one and name it in the network config`,
  });
}
