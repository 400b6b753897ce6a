import { describe, expect, it } from 'vitest';
import { BsnIdentity, isBsnError } from '@bsn/contract';
import { accountId, accountNameOf, nameOfAccountId } from './accounts.js';
import { isAccountName } from './antelope/index.js';

describe('accounts named from keys', () => {
  it('the same key names the same account; another key or another algorithm another one', () => {
    const identity = BsnIdentity.generate();
    const k1 = identity.keyFor('eos', 'secp256k1').publicKey;
    const again = BsnIdentity.fromSecret(identity.exportSecret()).keyFor('eos', 'secp256k1').publicKey;
    const name = accountNameOf('secp256k1', k1);
    expect(isAccountName(name) && name.length).toBe(12);
    expect(accountNameOf('secp256k1', again)).toBe(name);
    expect(accountNameOf('secp256k1', BsnIdentity.generate().keyFor('eos', 'secp256k1').publicKey)).not.toBe(name);
    expect(accountNameOf('secp256r1', identity.keyFor('eos', 'secp256r1').publicKey)).not.toBe(name);
  });

  it('a ChainAccount id is account@active, and anything else is refused naming the field', () => {
    expect(nameOfAccountId(accountId('bsnpresetkv'), '/m')).toBe('bsnpresetkv');
    for (const bad of ['bsnpresetkv', 'bsnpresetkv@owner', 'Upper@active', 'definitely not an account', 7]) {
      const error = (() => {
        try {
          return nameOfAccountId(bad, '/members/1/id');
        } catch (e) {
          return e;
        }
      })();
      expect(isBsnError(error, 'INVALID_INPUT') && error.field, String(bad)).toBe('/members/1/id');
    }
  });
});
