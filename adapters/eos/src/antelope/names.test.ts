import { describe, expect, it } from 'vitest';
import { isAccountName, nameOf, nameValue } from './names.js';

describe('account names', () => {
  it('are 1–12 characters of a-z, 1-5 and dots, not ending in a dot', () => {
    for (const ok of ['eosio', 'bsnpresetkv', 'a.b', 'zzzzzzzzzzzz', '1']) expect(isAccountName(ok), ok).toBe(true);
    for (const bad of ['', 'Eosio', 'toolongname12x', 'a6', 'a.', 'a b', 7]) expect(isAccountName(bad), String(bad)).toBe(false);
  });

  it('map to and from their 64-bit value', () => {
    expect(nameValue('eosio')).toBe(6138663577826885632n);
    expect(nameOf(6138663577826885632n)).toBe('eosio');
    expect(nameOf(nameValue('bsnpresetkv'))).toBe('bsnpresetkv');
  });
});
