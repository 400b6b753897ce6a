import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Signature, Transaction, keccak256, recoverAddress, toUtf8Bytes } from 'ethers';
import { ethereumAddress, isBsnError, privateKeySigner } from '@bsn/contract';
import { addressOf, ethereumSignature, localKeySigner, signDigest, signTransaction, uncompressedPublicKey } from './signer-bridge.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const digest = keccak256(toUtf8Bytes('bsn'));

function flipS(compact: Uint8Array): Uint8Array {
  const s = BigInt('0x' + Buffer.from(compact.subarray(32)).toString('hex'));
  const out = Uint8Array.from(compact);
  out.set(Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}

describe('signer bridge', () => {
  const signer = privateKeySigner('secp256k1', randomBytes(32));
  const address = addressOf(signer.publicKey);

  test('addresses are EIP-55 and agree with core', () => {
    expect(address).toBe(ethereumAddress(signer.publicKey));
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(address).not.toBe(address.toLowerCase());
    const compressed = Buffer.from(uncompressedPublicKey(signer.publicKey).slice(2), 'hex');
    const x = compressed.subarray(1, 33);
    const odd = compressed[64]! & 1;
    expect(addressOf(Uint8Array.from([odd ? 3 : 2, ...x]))).toBe(address);
  });

  test('a signature without recovery id is completed by trying both parities', async () => {
    const { compact, recovery } = await signer.signDigest(Buffer.from(digest.slice(2), 'hex'));
    const withId = ethereumSignature(digest, { compact, recovery }, address);
    const without = ethereumSignature(digest, { compact }, address);
    expect(without.serialized).toBe(withId.serialized);
    // A wrong recovery id is corrected too.
    expect(ethereumSignature(digest, { compact, recovery: recovery! ^ 1 }, address).serialized).toBe(withId.serialized);
  });

  test('a high-s signature is normalised to low s (EIP-2)', async () => {
    const { compact, recovery } = await signer.signDigest(Buffer.from(digest.slice(2), 'hex'));
    const high = flipS(compact);
    const sig = ethereumSignature(digest, { compact: high, recovery: recovery! ^ 1 }, address);
    expect(sig.serialized).toBe(ethereumSignature(digest, { compact, recovery }, address).serialized);
    expect(ethereumSignature(digest, { compact: high }, address).serialized).toBe(sig.serialized);
  });

  test("another key's signature is UNAUTHORIZED, a malformed one INVALID_INPUT", async () => {
    const other = privateKeySigner('secp256k1', randomBytes(32));
    const sig = await other.signDigest(Buffer.from(digest.slice(2), 'hex'));
    expect(() => ethereumSignature(digest, sig, address)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    expect(() => ethereumSignature(digest, { compact: new Uint8Array(63) }, address)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => ethereumSignature(digest, { compact: new Uint8Array(64) }, address)).toThrow(
      expect.objectContaining({ code: 'UNAUTHORIZED' }),
    );
  });

  test('transactions signed through a core Signer recover to its address', async () => {
    const tx = Transaction.from({
      type: 2,
      chainId: 31337n,
      nonce: 7,
      to: address,
      gasLimit: 21000n,
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
      value: 1n,
    });
    const signed = await signTransaction(tx, signer);
    expect(signed.from).toBe(address);
    expect(Transaction.from(signed.serialized).from).toBe(address);
    expect(tx.signature).toBeNull();
  });

  test('signers of other algorithms and broken signers are refused with typed errors', async () => {
    const p256 = privateKeySigner('secp256r1', randomBytes(32));
    await expect(signDigest(p256, digest)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: '/signer/algorithm' });
    const broken = {
      ...localKeySigner('0x' + '11'.repeat(32)),
      signDigest: async () => {
        throw new Error('hsm offline');
      },
    };
    const error = await signDigest(broken, digest).catch((e: unknown) => e);
    expect(isBsnError(error, 'UNAUTHORIZED')).toBe(true);
    expect(() => addressOf(new Uint8Array(65))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  test('signatures agree with ethers recoverAddress (the check used before) over many keys and digests', async () => {
    for (let i = 0; i < 40; i++) {
      const key = privateKeySigner('secp256k1', randomBytes(32));
      const who = addressOf(key.publicKey);
      const d = keccak256(randomBytes(32));
      const { compact, recovery } = await key.signDigest(Buffer.from(d.slice(2), 'hex'));
      for (const given of [
        { compact, recovery },
        { compact },
        { compact: flipS(compact), recovery: recovery! ^ 1 },
        { compact: flipS(compact) },
      ]) {
        const sig = ethereumSignature(d, given, who);
        expect(recoverAddress(d, sig)).toBe(who);
        expect(sig.yParity).toBe(recovery);
        expect(BigInt(sig.s) <= N / 2n).toBe(true);
      }
    }
  });

  test('a wrong key, a wrong digest and a missing recovery id behave as before', async () => {
    const d = Buffer.from(digest.slice(2), 'hex');
    const refusal = (expected: string, dg: string) =>
      expect.objectContaining({
        code: 'UNAUTHORIZED',
        message: `the signature does not come from the key of ${expected}`,
        stage: 'sign',
        detail: { framework: 'ethereum', message: 'signature does not recover to the sender address', data: { expected, digest: dg } },
      });
    // Wrong key: with and without the recovery id.
    const other = await privateKeySigner('secp256k1', randomBytes(32)).signDigest(d);
    expect(() => ethereumSignature(digest, other, address)).toThrow(refusal(address, digest));
    expect(() => ethereumSignature(digest, { compact: other.compact }, address)).toThrow(refusal(address, digest));
    // Wrong digest: our key's signature over another digest.
    const mine = await signer.signDigest(d);
    const elsewhere = keccak256(toUtf8Bytes('not bsn'));
    expect(() => ethereumSignature(elsewhere, mine, address)).toThrow(refusal(address, elsewhere));
    expect(() => ethereumSignature(elsewhere, { compact: mine.compact }, address)).toThrow(refusal(address, elsewhere));
    // Missing recovery id: the parity that recovers is found, the same Signature as with the id.
    const without = ethereumSignature(digest, { compact: mine.compact }, address);
    expect(without.yParity).toBe(mine.recovery);
    expect(without.serialized).toBe(
      Signature.from({
        r: '0x' + Buffer.from(mine.compact.subarray(0, 32)).toString('hex'),
        s: '0x' + Buffer.from(mine.compact.subarray(32)).toString('hex'),
        yParity: mine.recovery as 0 | 1,
      }).serialized,
    );
    // An r that is no x-coordinate on the curve recovers nothing: refused like any other.
    const noPoint = Uint8Array.from(mine.compact);
    noPoint.set(Buffer.from(5n.toString(16).padStart(64, '0'), 'hex'), 0);
    expect(() => ethereumSignature(digest, { compact: noPoint }, address)).toThrow(refusal(address, digest));
  });

  test('addresses are remembered by key bytes, refusals are not', () => {
    const key = signer.publicKey;
    const view = new Uint8Array(70);
    view.set(key, 3);
    expect(addressOf(view.subarray(3, 68))).toBe(address);
    key.fill(0);
    expect(() => addressOf(key, '/a')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: '/a' }));
    expect(() => addressOf(key, '/b')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: '/b' }));
    expect(() => addressOf('0x04' as unknown as Uint8Array, '/c')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: '/c' }));
    expect(addressOf(signer.publicKey)).toBe(address);
  });
});
