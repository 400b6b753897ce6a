import { describe, expect, it } from 'vitest';
import { generatePrivateKey, publicKeyOf, signDigest } from '@bsn/contract';
import { compressPoint, isCanonical, parsePublicKey, parseSignature, publicKeyText, signatureText } from './keys.js';

describe('keys and signatures in their Antelope forms', () => {
  it('K1 and R1 public keys round-trip through PUB_K1_/PUB_R1_', () => {
    for (const [algorithm, curve] of [
      ['secp256k1', 'K1'],
      ['secp256r1', 'R1'],
    ] as const) {
      const pub = publicKeyOf(algorithm, generatePrivateKey(algorithm));
      const text = publicKeyText(algorithm, pub);
      expect(text.startsWith(`PUB_${curve}_`)).toBe(true);
      const parsed = parsePublicKey(text);
      expect(parsed.curve).toBe(curve);
      expect(Buffer.from(parsed.compressed).equals(Buffer.from(compressPoint(pub)))).toBe(true);
    }
  });

  it('reads the legacy EOS… form of K1 keys (how get_producer_schedule prints them)', () => {
    expect(parsePublicKey('EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV').curve).toBe('K1');
  });

  it('refuses SM2 and malformed points', () => {
    expect(() => publicKeyText('sm2', new Uint8Array(65).fill(4))).toThrow(/no sm2 keys/);
    expect(() => compressPoint(new Uint8Array(33))).toThrow(/65 bytes/);
  });

  it('canonical means r and s below 2^255 and minimally encoded', () => {
    const sig = (r0: number, r1: number, s0: number, s1: number) => {
      const c = new Uint8Array(64).fill(1);
      [c[0], c[1], c[32], c[33]] = [r0, r1, s0, s1];
      return c;
    };
    expect(isCanonical(sig(0x7f, 0, 0x7f, 0))).toBe(true);
    expect(isCanonical(sig(0x80, 0, 0x7f, 0))).toBe(false);
    expect(isCanonical(sig(0x00, 0x7f, 0x7f, 0))).toBe(false);
    expect(isCanonical(sig(0x00, 0x80, 0x7f, 0))).toBe(true);
    expect(isCanonical(sig(0x7f, 0, 0x80, 0))).toBe(false);
  });

  it('signatures round-trip through SIG_K1_ with their recovery id', () => {
    const priv = generatePrivateKey('secp256k1');
    const signed = signDigest('secp256k1', priv, new Uint8Array(32).fill(7));
    const text = signatureText('K1', signed.compact, signed.recovery!);
    const parsed = parseSignature(text);
    expect(parsed).toMatchObject({ curve: 'K1', recovery: signed.recovery });
    expect(Buffer.from(parsed.compact).equals(Buffer.from(signed.compact))).toBe(true);
  });
});
