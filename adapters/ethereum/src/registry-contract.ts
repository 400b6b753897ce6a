import { getAddress, getCreateAddress, keccak256, toUtf8Bytes } from 'ethers';
import { InvalidInputError, NotFoundError } from '@bsn/contract';
import { REGISTRY_PROTOCOL, artifacts, registryInterface } from './abi.js';
import type { ChainReader } from './chain.js';
import { FRAMEWORK } from './describe.js';
import { toBsnError } from './errors.js';
import type { Finality } from './finality.js';
import { deployAtNonceZero, type DeployDeps } from './nonce-zero-deploy.js';
import { addressOf, localKeySigner } from './signer-bridge.js';

/** Where an app lives: its BsnAppProxy and the block that created it (the start of its event stream). */
export interface AppLocation {
  appId: string;
  address: string;
  createdBlock: number;
}

/**
 * The key that deploys the registry on a dev network, derived from the chain id and a fixed
 * label: every adapter instance computes the same key, so the registry is always the
 * contract created at nonce 0 of this account and restarts find it without any state.
 * The key is public by construction — only for dev networks (with a faucet); real networks
 * name a registry deployed by their operator in the config (`registry`).
 */
export function registryDeployerKey(chainId: number): string {
  return keccak256(toUtf8Bytes(`bsn/adapter-ethereum/registry-deployer/${REGISTRY_PROTOCOL}/chain:${chainId}`));
}

export function deterministicRegistryAddress(chainId: number): string {
  const deployer = addressOf(localKeySigner(registryDeployerKey(chainId)).publicKey);
  return getCreateAddress({ from: deployer, nonce: 0 });
}

/** The on-chain BsnAppRegistry, which lists this network's apps by id; resolved apps are kept. */
export class RegistryContract {
  private readonly byId = new Map<string, AppLocation>();
  private readonly byAddress = new Map<string, string>();

  private constructor(
    readonly address: string,
    private readonly chain: ChainReader,
    private readonly finality: Finality,
  ) {}

  /** Finds the registry (config address, or the deterministic one, deploying it on a dev network). */
  static async open(deps: DeployDeps): Promise<RegistryContract> {
    const { config, chain } = deps;
    if (config.registry) {
      await verify(chain, config.registry, '/registry');
      return new RegistryContract(config.registry, chain, deps.finality);
    }
    const address = deterministicRegistryAddress(config.chainId);
    if ((await chain.code(address)) === '0x') await deploy(deps, address);
    await verify(chain, address, '/registry');
    deps.logger.debug('ethereum adapter: registry found', { registry: address });
    return new RegistryContract(address, chain, deps.finality);
  }

  /**
   * The app's location; NotFoundError when no app has that id in the newest final block
   * (an app exists for the gateway once its creation is final, like any other write).
   */
  async resolve(appId: string): Promise<AppLocation> {
    const known = this.byId.get(appId);
    if (known) return known;
    let result: string;
    try {
      const final = await this.finality.finalTag();
      result = await this.chain.call({ to: this.address, data: registryInterface.encodeFunctionData('appOf', [appId]) }, final);
    } catch (error) {
      throw toBsnError(error, { stage: 'query', what: `looking up app ${JSON.stringify(appId)}` });
    }
    // '0x': the registry itself is not final yet (just deployed on a chain with confirmations), so no app is.
    const [app, createdBlock] =
      result === '0x'
        ? ['0x0000000000000000000000000000000000000000', 0n]
        : (registryInterface.decodeFunctionResult('appOf', result) as unknown as [string, bigint]);
    if (app === '0x0000000000000000000000000000000000000000') {
      throw new NotFoundError(`no app ${JSON.stringify(appId)} on this network`, {
        stage: 'query',
        detail: { framework: FRAMEWORK, data: { registry: this.address, appId } },
      });
    }
    const location = { appId, address: getAddress(app), createdBlock: Number(createdBlock) };
    this.byId.set(appId, location);
    this.byAddress.set(location.address.toLowerCase(), appId);
    return location;
  }

  /** The app id of an app address this adapter has resolved (or can resolve by asking it). */
  appIdOf(address: string): string | undefined {
    return this.byAddress.get(address.toLowerCase());
  }

  encodeCreate(appId: string, members: string[], mode: number, placement: number): string {
    return registryInterface.encodeFunctionData('createApp', [appId, members, mode, placement]);
  }
}

async function verify(chain: ChainReader, address: string, field: string): Promise<void> {
  if ((await chain.code(address)) === '0x') {
    throw new InvalidInputError(`no contract at registry address ${address}`, { field });
  }
  let protocol: string | undefined;
  try {
    const out = await chain.call({ to: address, data: registryInterface.encodeFunctionData('BSN_REGISTRY') });
    [protocol] = registryInterface.decodeFunctionResult('BSN_REGISTRY', out) as unknown as [string];
  } catch {
    protocol = undefined;
  }
  if (protocol !== REGISTRY_PROTOCOL) {
    throw new InvalidInputError(`the contract at ${address} is not a ${REGISTRY_PROTOCOL} registry (it says ${JSON.stringify(protocol)})`, {
      field,
    });
  }
}

/** Deploys the registry as the deployer's first transaction (see deployAtNonceZero). */
function deploy(deps: DeployDeps, address: string): Promise<void> {
  if (!deps.config.faucet) throw new InvalidInputError('no registry on this network and no faucet to deploy one', { field: '/registry' });
  return deployAtNonceZero(deps, {
    deployerKey: registryDeployerKey(deps.config.chainId),
    address,
    data: artifacts.BsnAppRegistry.bytecode,
    name: 'app registry',
    role: 'registry',
    missing: (used) =>
      `the registry did not appear at ${address}${used ? " although the deployer's nonce 0 is used" : ''}; deploy one and set "registry" in the network config`,
  });
}
