/**
 * The native actions of the `eosio` account the adapter sends (`newaccount`, `setcode`,
 * `setabi`), as an ABI written from their on-chain layout. They are native: their layout does
 * not depend on which system contract (bios or system) the chain runs, so the adapter does not
 * fetch `eosio`'s ABI to send them.
 */
import { ContractAbi } from './abi.js';

const field = (name: string, type: string) => ({ name, type });

export const NATIVE_ABI = new ContractAbi({
  version: 'eosio::abi/1.1',
  types: [],
  structs: [
    { name: 'permission_level', base: '', fields: [field('actor', 'name'), field('permission', 'name')] },
    { name: 'key_weight', base: '', fields: [field('key', 'public_key'), field('weight', 'uint16')] },
    { name: 'permission_level_weight', base: '', fields: [field('permission', 'permission_level'), field('weight', 'uint16')] },
    { name: 'wait_weight', base: '', fields: [field('wait_sec', 'uint32'), field('weight', 'uint16')] },
    {
      name: 'authority',
      base: '',
      fields: [
        field('threshold', 'uint32'),
        field('keys', 'key_weight[]'),
        field('accounts', 'permission_level_weight[]'),
        field('waits', 'wait_weight[]'),
      ],
    },
    {
      name: 'newaccount',
      base: '',
      fields: [field('creator', 'name'), field('name', 'name'), field('owner', 'authority'), field('active', 'authority')],
    },
    {
      name: 'setcode',
      base: '',
      fields: [field('account', 'name'), field('vmtype', 'uint8'), field('vmversion', 'uint8'), field('code', 'bytes')],
    },
    { name: 'setabi', base: '', fields: [field('account', 'name'), field('abi', 'bytes')] },
    {
      name: 'updateauth',
      base: '',
      fields: [field('account', 'name'), field('permission', 'name'), field('parent', 'name'), field('auth', 'authority')],
    },
  ],
  actions: ['newaccount', 'setcode', 'setabi', 'updateauth'].map((name) => ({ name, type: name, ricardian_contract: '' })),
  tables: [],
  ricardian_clauses: [],
  error_messages: [],
  abi_extensions: [],
  variants: [],
} as never);

/** An authority of one key (weight 1, threshold 1): how a BSN account's permissions look. */
export const singleKeyAuthority = (publicKey: string) => ({
  threshold: 1,
  keys: [{ key: publicKey, weight: 1 }],
  accounts: [] as unknown[],
  waits: [] as unknown[],
});
