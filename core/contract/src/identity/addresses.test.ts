import { describe, expect, it } from 'vitest';
import { fromHex } from '../encoding/bytes.js';
import { publicKeyOf } from '../crypto/algorithms.js';
import { ethereumAddress, toChecksumAddress } from './addresses.js';

describe('ethereumAddress', () => {
  it.each([
    // Private key 1: the well-known address of the generator point.
    ['0000000000000000000000000000000000000000000000000000000000000001', '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf'],
    // web3.js documentation example key (web3.eth.accounts.privateKeyToAccount).
    ['4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318', '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'],
  ])('key %s → %s', (sk, address) => {
    expect(ethereumAddress(publicKeyOf('secp256k1', fromHex(sk)))).toBe(address);
  });

  it('refuses keys that are not uncompressed secp256k1 points', () => {
    const pub = publicKeyOf('secp256k1', fromHex('01'.padStart(64, '0')));
    expect(() => ethereumAddress(pub.subarray(0, 33))).toThrow(/publicKey/);
    const off = Uint8Array.from(pub);
    off[64] = off[64]! ^ 1;
    expect(() => ethereumAddress(off)).toThrow(/publicKey/);
  });
});

describe('EIP-55 checksum (vectors from the EIP)', () => {
  it.each([
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ])('%s', (address) => {
    expect(toChecksumAddress(address.toLowerCase())).toBe(address);
    expect(toChecksumAddress(address.slice(2).toUpperCase())).toBe(address);
  });
  it('refuses a wrong length', () => {
    expect(() => toChecksumAddress('0x1234')).toThrow(/address/);
  });
});
