/**
 * Puts a contract on an account (`setcode` + `setabi` in one transaction), creating the account
 * first when it does not exist. The devnet deploys eosio.bios and the preset contract with it;
 * the preset contract's build outputs ship with the plugin (contract/target).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Signer } from '@bsn/contract';
import { ContractAbi, NATIVE_ABI, publicKeyText } from './antelope/index.js';
import type { AccountCreator } from './account-creator.js';
import type { Transactions } from './transactions.js';

/** The preset data contract as built by `npm run build:assets` (scripts/build-contract.mjs). */
export const PRESET_CONTRACT = {
  wasm: new URL('../contract/target/bsn-kv.contract.wasm', import.meta.url),
  abi: new URL('../contract/target/bsn-kv.contract.abi', import.meta.url),
};

export interface ContractFiles {
  wasm: URL | string;
  abi: URL | string;
}

export async function deployContract(txs: Transactions, account: string, files: ContractFiles, signer: Signer): Promise<void> {
  const abi = new ContractAbi(JSON.parse(readFileSync(files.abi, 'utf8')));
  const authorization = [{ actor: account, permission: 'active' }];
  await txs.submit(
    [
      {
        account: 'eosio',
        name: 'setcode',
        authorization,
        data: NATIVE_ABI.encodeAction('setcode', { account, vmtype: 0, vmversion: 0, code: readFileSync(files.wasm).toString('hex') }),
      },
      {
        account: 'eosio',
        name: 'setabi',
        authorization,
        data: NATIVE_ABI.encodeAction('setabi', { account, abi: Buffer.from(abi.encodeSelf()).toString('hex') }),
      },
    ],
    signer,
    { what: `deploying a contract to ${account}` },
  );
}

/**
 * Creates `account` (held by the creator's key) if needed, deploys the preset data contract to
 * it and tells it the chain id relayed user-key signatures cover (`setchain`).
 */
export async function deployPresetContract(txs: Transactions, creator: AccountCreator, account: string): Promise<void> {
  const signer = creator.creatorSigner;
  if (!signer) throw new Error('deploying the preset contract needs a network creator key');
  await creator.ensure(account, publicKeyText(signer.algorithm, signer.publicKey));
  // Deployed already (a create that stopped half-way, run again): the node refuses the same code twice.
  const wasmHash = createHash('sha256').update(readFileSync(PRESET_CONTRACT.wasm)).digest('hex');
  const deployed = async () => (await txs.api.codeHash(account)).code_hash === wasmHash;
  if (!(await deployed())) {
    try {
      await deployContract(txs, account, PRESET_CONTRACT, signer);
    } catch (error) {
      // A concurrent deploy of the same code (another create of the same app) is as good.
      if (!(await deployed())) throw error;
    }
  }
  const abi = new ContractAbi(JSON.parse(readFileSync(PRESET_CONTRACT.abi, 'utf8')));
  await txs.submit(
    [
      {
        account,
        name: 'setchain',
        authorization: [{ actor: account, permission: 'active' }],
        data: abi.encodeAction('setchain', { chainid: txs.config.chainId }),
      },
    ],
    signer,
    { what: `telling ${account} its chain id` },
  );
}
