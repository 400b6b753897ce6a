import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Transaction, keccak256, toUtf8Bytes } from 'ethers';
import { ethereumAddress, isBsnError, privateKeySigner } from '@bsn/core';
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
    expect(() => ethereumSignature(digest, { compact: new Uint8Array(63) }, address)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => ethereumSignature(digest, { compact: new Uint8Array(64) }, address)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  test('transactions signed through a core Signer recover to its address', async () => {
    const tx = Transaction.from({ type: 2, chainId: 31337n, nonce: 7, to: address, gasLimit: 21000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, value: 1n });
    const signed = await signTransaction(tx, signer);
    expect(signed.from).toBe(address);
    expect(Transaction.from(signed.serialized).from).toBe(address);
    expect(tx.signature).toBeNull();
  });

  test('signers of other algorithms and broken signers are refused with typed errors', async () => {
    const p256 = privateKeySigner('secp256r1', randomBytes(32));
    await expect(signDigest(p256, digest)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: '/signer/algorithm' });
    const broken = { ...localKeySigner('0x' + '11'.repeat(32)), signDigest: async () => { throw new Error('hsm offline'); } };
    const error = await signDigest(broken, digest).catch((e: unknown) => e);
    expect(isBsnError(error, 'UNAUTHORIZED')).toBe(true);
    expect(() => addressOf(new Uint8Array(65))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
