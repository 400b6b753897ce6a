import { describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import { createNetworkCa } from './ca.js';
import { openNetworkCa, parseNetworkCaFile, sealNetworkCa } from './ca-file.js';
import { BsnIdentity } from './identity.js';
import { openIdentity, parseIdentityFile, sealIdentity } from './identity-file.js';

const FAST = { scryptN: 1024 };

describe('identity file', () => {
  const id = BsnIdentity.generate();
  const file = sealIdentity(id, 'alice', 'pw', FAST);

  it('round-trips through JSON and reopens to the same identity', () => {
    const back = parseIdentityFile(JSON.parse(JSON.stringify(file)));
    expect(back.masterPublicKey).toBe(toHex(id.masterPublicKey));
    expect(back.secret.algorithm).toBe('secp256r1');
    expect(JSON.stringify(back)).not.toContain(toHex(id.exportSecret()));
    const reopened = openIdentity(back, 'pw');
    expect(toHex(reopened.keyFor('eos', 'secp256k1').publicKey)).toBe(toHex(id.keyFor('eos', 'secp256k1').publicKey));
  });

  it('refuses a wrong passphrase and a public header that does not match the secret', () => {
    expect(() => openIdentity(file, 'nope')).toThrow(/wrong passphrase/);
    const other = BsnIdentity.generate();
    const swapped = { ...file, masterPublicKey: toHex(other.masterPublicKey), masterKeyId: other.masterKeyId };
    expect(() => openIdentity(swapped, 'pw')).toThrow(/does not match its secret/);
  });

  it('refuses files of another format and bad user ids', () => {
    expect(() => parseIdentityFile({ ...file, format: 'bsn-keystore' })).toThrow(/not a bsn identity file/);
    expect(() => parseIdentityFile({ ...file, userId: 'a b' })).toThrow(/userId/);
    expect(() => sealIdentity(id, '', 'pw', FAST)).toThrow(/userId/);
  });
});

describe('network CA file', () => {
  it('round-trips, and refuses a key that is not the certificate’s', async () => {
    const ca = await createNetworkCa({ name: 'CA', validityDays: 10 });
    const other = await createNetworkCa({ name: 'CA', validityDays: 10 });
    const file = parseNetworkCaFile(JSON.parse(JSON.stringify(sealNetworkCa(ca, 'CA', 'pw', FAST))));
    expect(toHex(openNetworkCa(file, 'pw').privateKey)).toBe(toHex(ca.privateKey));
    expect(() => openNetworkCa({ ...file, certificate: other.certificatePem }, 'pw')).toThrow(/does not belong/);
    expect(() => openNetworkCa(file, 'bad')).toThrow(/wrong passphrase/);
    expect(() => parseNetworkCaFile({ ...file, certificate: 'x' })).toThrow(/certificate/);
  });
});
