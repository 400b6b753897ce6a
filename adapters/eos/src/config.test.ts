import { describe, expect, it } from 'vitest';
import { isBsnError } from '@bsn/contract';
import { resolveConfig } from './config.js';

const good = {
  framework: 'eos',
  name: 'n',
  url: 'http://127.0.0.1:8888/',
  chainId: 'ab'.repeat(32),
  contract: 'bsnpresetkv',
  creator: { account: 'eosio', privateKey: '5KQwrPbwdL6PhXujxW37FSSQZ1JiwsST4cqQzDeyXtP79zkvFD3' },
};

const fieldOf = (config: unknown) => {
  try {
    resolveConfig(config as never);
    return 'accepted';
  } catch (error) {
    return isBsnError(error, 'INVALID_INPUT') ? error.field : String(error);
  }
};

describe('network config', () => {
  it('fills in defaults and decodes the creator key', () => {
    const config = resolveConfig(good);
    expect(config.url).toBe('http://127.0.0.1:8888');
    expect(config.creator?.secret).toHaveLength(32);
    expect(config.submitTimeoutMs).toBe(60_000);
  });

  it('refuses bad input naming the field', () => {
    expect(fieldOf({ ...good, chainId: 'xyz' })).toBe('/chainId');
    expect(fieldOf({ ...good, contract: 'Not.A.Name' })).toBe('/contract');
    expect(fieldOf({ ...good, url: 'ftp://x' })).toBe('/url');
    expect(fieldOf({ ...good, framework: 'ethereum' })).toBe('/framework');
    expect(fieldOf({ ...good, surprise: 1 })).toBe('/surprise');
    expect(fieldOf({ ...good, creator: { account: 'eosio', privateKey: '5' + 'K'.repeat(50) } })).toBe('/creator/privateKey');
    const { chainId: _, ...noChain } = good;
    expect(fieldOf(noChain)).toBe('/chainId');
  });
});
