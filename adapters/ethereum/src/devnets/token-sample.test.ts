/**
 * The sample token as the suite gets it: what the kit accepts and refuses is what the sample
 * claims (a bad package refused at the field it names, the failing upgrade only failing on the
 * chain), and its chain reader finds no app the chain does not hold. The suite's CC cases run the
 * rest on anvil (conformance, e2e/src/conformance/custom-contract-faults.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkContractPackage, isBsnError, type ChainAccount } from '@bsn/contract';
import { AnvilDevnet } from './anvil.js';
import { ethereumTokenSample } from './token-sample.js';

const sample = await ethereumTokenSample();
// Only the id reaches the sample's calls; the key is never used.
const owner: ChainAccount = {
  framework: 'ethereum',
  algorithm: 'secp256k1',
  publicKey: '04',
  id: '0x00000000000000000000000000000000000000a1',
};

describe('the Ethereum sample token', () => {
  it("passes the kit's checks in every version, the failing one included (it fails on the chain only)", () => {
    for (const source of [sample.v1(owner), sample.v2(), sample.failingV2()]) {
      expect(() => checkContractPackage(source.package)).not.toThrow();
    }
    expect(sample.v1(owner).call).toEqual({ method: 'initialize', args: [owner.id, 'Sample'] });
    expect(sample.failingV2().call?.args).toEqual(['']);
  });

  it('names the field the kit refuses its bad package at', () => {
    const bad = sample.badPackage();
    let refused: unknown;
    try {
      checkContractPackage(bad.contract.package);
    } catch (error) {
      refused = error;
    }
    expect(isBsnError(refused, 'INVALID_INPUT') && refused.field).toBe(bad.field);
  });

  it('reads events and results as the gateway gives them', () => {
    const payload = new TextEncoder().encode(JSON.stringify({ from: owner.id, to: owner.id, value: '12' }));
    expect(sample.transferOf(payload)).toEqual({ from: owner.id, to: owner.id, value: 12n });
    expect(sample.balanceOf(new TextEncoder().encode('["750"]'))).toBe(750n);
    expect(sample.mint(owner, 5n)).toEqual({ method: 'mint', args: [owner.id, '5'] });
  });

  it('its chain reader finds no code for an app the chain does not hold', async (ctx) => {
    const devnet = new AnvilDevnet();
    const availability = await devnet.available();
    if (!availability.ok) {
      console.warn(`skipped: ${availability.reason}`);
      return ctx.skip(availability.reason);
    }
    const started = await devnet.start();
    try {
      const reader = sample.reader(started.network);
      expect(await reader.code('never-created')).toBeUndefined();
      await expect(reader.balance({ appId: 'never-created' } as never, owner)).rejects.toThrow(/holds no app never-created/);
    } finally {
      await started.stop();
    }
  });
});
