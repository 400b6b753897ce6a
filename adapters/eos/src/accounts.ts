/**
 * The account of a BSN key: twelve characters of the name alphabet (no dots) taken from
 * SHA-256 of the algorithm and the compressed key, so the same key always names the same
 * account and another key, in all likelihood (31^12 ≈ 2^59 names), another one. The preset
 * contract derives the same name from a recovered key (contract/bsn-kv.relay.ts). A
 * ChainAccount's id is `account@active`: the permission that holds the key.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError, type KeyAlgorithm } from '@bsn/contract';
import { compressPoint, isAccountName } from './antelope/index.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz12345';
export const PERMISSION = 'active';

/** Twelve characters of the name alphabet from the first 8 bytes of a SHA-256 digest. */
function nameOfDigest(digest: Buffer): string {
  let n = digest.readBigUInt64BE(0);
  let name = '';
  for (let i = 0; i < 12; i++) {
    name += ALPHABET[Number(n % 31n)];
    n /= 31n;
  }
  return name;
}

export function accountNameOf(algorithm: KeyAlgorithm, publicKey: Uint8Array): string {
  return nameOfDigest(createHash('sha256').update(`bsn/eos/account/v1\n${algorithm}\n`).update(compressPoint(publicKey)).digest());
}

/**
 * The account a dedicated app of the registry `contract` runs its own copy of the preset
 * contract on: named from the registry and the app id, so every adapter instance picks the
 * same one (the registry records it; that record, not this name, is what is believed). A name
 * someone else took first is passed over for the next `attempt`.
 */
export function dedicatedAccountOf(contract: string, appId: string, attempt = 0): string {
  const hash = createHash('sha256').update(`bsn/eos/dedicated-app/v1\n${contract}\n`).update(appId, 'utf8');
  if (attempt > 0) hash.update(`\n${attempt}`);
  return nameOfDigest(hash.digest());
}

/** `account@active`, how the standard names an EOS chain account. */
export const accountId = (name: string): string => `${name}@${PERMISSION}`;

/** The account name in a ChainAccount id, or InvalidInputError naming `field`. */
export function nameOfAccountId(id: unknown, field: string): string {
  const match = typeof id === 'string' ? /^([a-z1-5.]{1,12})@active$/.exec(id) : null;
  if (!match || !isAccountName(match[1])) {
    throw new InvalidInputError(
      `${field}: an EOS account is "<account>@active" (account: 1–12 of a-z, 1-5, .), not ${JSON.stringify(id)}`,
      {
        field,
      },
    );
  }
  return match[1]!;
}
