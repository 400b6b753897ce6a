import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { BsnIdentity } from '@bsn/contract';
import { ACCOUNT_ID, accountId } from './accounts.js';

const require = createRequire(import.meta.url);
const chaincode = require('../chaincode/lib/accounts.js') as { accountId(mspId: string, publicKey: Buffer): string };

describe('account ids', () => {
  test('the adapter and the chaincode name an identity the same way, from the org and the key only', () => {
    const key = BsnIdentity.generate().keyFor('fabric', 'secp256r1').publicKey;
    const id = accountId('Org1MSP', key);
    expect(id).toMatch(ACCOUNT_ID);
    expect(chaincode.accountId('Org1MSP', Buffer.from(key))).toBe(id);
    expect(accountId('Org2MSP', key)).not.toBe(id);
  });
});
