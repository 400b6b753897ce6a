/**
 * The kit's sample token on EOS (samples/token, AssemblyScript compiled by proton-asc in the
 * adapter's build into samples/token/target), as the conformance suite deploys, calls and
 * upgrades it; read back on the chain with plain HTTP calls to nodeos (`get_table_rows`,
 * `get_account`, `get_code_hash`), none of the adapter's code but the names it derives.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ChainAccount, EosWasmPackage, NetworkConfig, TokenChainReader, TokenSample } from '@bsn/contract';
import { appScope } from '../contract-keys.js';
import { ACCOUNT_ATTEMPTS, appAccountOf } from '../custom-contract/app-account.js';

const TARGET = new URL('../../samples/token/target/', import.meta.url);
const decoder = new TextDecoder();

function built(version: 'token-v1' | 'token-v2'): EosWasmPackage {
  const file = (ext: string) => new URL(`${version}.contract.${ext}`, TARGET);
  if (!existsSync(file('wasm')))
    throw new Error(`the sample token is not built (${file('wasm').pathname}): run npm run build:assets in adapters/eos`);
  return {
    format: 'eos-wasm',
    wasm: readFileSync(file('wasm')).toString('base64'),
    abi: JSON.parse(readFileSync(file('abi'), 'utf8')) as EosWasmPackage['abi'],
  };
}

async function post<T>(url: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: (await r.json()) as T };
}

interface Permission {
  perm_name: string;
  required_auth: { accounts: Array<{ permission: { actor: string; permission: string } }> };
}

function reader(network: NetworkConfig): TokenChainReader {
  const url = String((network as { url?: unknown }).url);
  const registry = String((network as { contract?: unknown }).contract);
  /** The account running the app's contract: the registry holds the app and its admin holds the account, which runs code. */
  const accountOf = async (appId: string): Promise<{ account: string; codeHash: string } | undefined> => {
    const id = appScope(appId);
    const rows = await post<{ rows: Array<{ appid: string; admin: string }> }>(url, '/v1/chain/get_table_rows', {
      json: true,
      code: registry,
      scope: registry,
      table: 'apps',
      lower_bound: id,
      upper_bound: id,
      limit: 1,
    });
    const admin = rows.body.rows.find((r) => r.appid === appId)?.admin;
    if (!admin) return undefined;
    for (let attempt = 0; attempt < ACCOUNT_ATTEMPTS; attempt++) {
      const account = appAccountOf(registry, appId, attempt);
      const info = await post<{ permissions?: Permission[] }>(url, '/v1/chain/get_account', { account_name: account });
      if (info.status !== 200) return undefined;
      const owner = info.body.permissions?.find((p) => p.perm_name === 'owner');
      if (!owner?.required_auth.accounts.some((a) => a.permission.actor === admin)) continue;
      const code = await post<{ code_hash: string }>(url, '/v1/chain/get_code_hash', { account_name: account });
      return /^0+$/.test(code.body.code_hash) ? undefined : { account, codeHash: code.body.code_hash };
    }
    return undefined;
  };
  return {
    source: `Leap chain API ${url}`,
    async balance(app, holder) {
      const at = await accountOf(app.appId);
      if (!at) throw new Error(`the chain runs no contract for app ${app.appId}`);
      const owner = holder.id.replace(/@active$/, '');
      const rows = await post<{ rows: Array<{ owner: string; amount: string | number }> }>(url, '/v1/chain/get_table_rows', {
        json: true,
        code: at.account,
        scope: at.account,
        table: 'balances',
        lower_bound: owner,
        upper_bound: owner,
        limit: 1,
      });
      const row = rows.body.rows.find((r) => r.owner === owner);
      return row ? BigInt(row.amount) : 0n;
    },
    async code(appId) {
      const at = await accountOf(appId);
      return at && `${at.account}: ${at.codeHash}`;
    },
  };
}

export async function eosTokenSample(): Promise<TokenSample> {
  const v1 = built('token-v1');
  const v2 = built('token-v2');
  // An action whose data type is no struct of the ABI: refused by the package check, never deployed.
  const actions = v1.abi.actions ?? [];
  const bad: EosWasmPackage = { ...v1, abi: { ...v1.abi, actions: [...actions, { name: 'burn', type: 'burn', ricardian_contract: '' }] } };
  const account = (a: ChainAccount) => a.id;
  const json = (bytes: Uint8Array) => JSON.parse(decoder.decode(bytes)) as unknown;
  return {
    v1: (owner) => ({ kind: 'package', package: v1, call: { method: 'init', args: [owner.id] } }),
    v2: () => ({ kind: 'package', package: v2, call: { method: 'migrate', args: ['SMP'] } }),
    // The migration refuses an empty symbol, and with it the transaction that sets the code.
    failingV2: () => ({ kind: 'package', package: v2, call: { method: 'migrate', args: [''] } }),
    badPackage: () => ({ contract: { kind: 'package', package: bad }, field: `/contract/package/abi/actions/${actions.length}/type` }),
    mint: (to, amount) => ({ method: 'mint', args: [account(to), String(amount)] }),
    transfer: (to, amount) => ({ method: 'transfer', args: [account(to), String(amount)] }),
    burn: (amount) => ({ method: 'burn', args: [String(amount)] }),
    balance: (who) => ({ method: 'balance', args: [account(who)] }),
    balanceOf: (result) => BigInt(json(result) as string | number),
    transferEvent: 'transferlog',
    transferOf(payload) {
      const e = json(payload) as { from: string; to: string; value: string | number };
      return { from: `${e.from}@active`, to: `${e.to}@active`, value: BigInt(e.value) };
    },
    reader,
  };
}
