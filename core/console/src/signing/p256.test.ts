/** WebCrypto P-256 signatures the node accepts (low S, its own verifier), and key files checked field by field. */
import { describe, expect, test } from 'vitest';
import { generatePrivateKey, publicKeyOf, toHex as contractHex, verifyFastAsync } from '@bsn/contract';
import { fromHex, toHex } from './hex.js';
import { KeyFileError, generateP256, importKeyFile, signP256, verifyP256 } from './p256.js';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function keyFile(overrides: Record<string, unknown> = {}) {
  const privateKey = generatePrivateKey('secp256r1');
  return JSON.stringify({
    user: 'u1',
    algorithm: 'secp256r1',
    privateKey: contractHex(privateKey),
    publicKey: contractHex(publicKeyOf('secp256r1', privateKey)),
    ...overrides,
  });
}

describe('P-256 in WebCrypto', () => {
  test('every signature is low-S and verifies with the node’s own verifier (which refuses high S)', async () => {
    const key = await generateP256();
    expect(key.publicKey).toMatch(/^04[0-9a-f]{128}$/);
    for (let i = 0; i < 40; i++) {
      const message = crypto.getRandomValues(new Uint8Array(1 + i * 7));
      const sig = await signP256(key.privateKey, message);
      expect(BigInt(`0x${sig.slice(64)}`) <= N / 2n).toBe(true);
      expect(await verifyFastAsync('secp256r1', key.publicKey, message, fromHex(sig))).toBe(true);
      expect(await verifyP256(key.publicKey, message, sig)).toBe(true);
      const other = message.slice();
      other[0]! ^= 1;
      expect(await verifyP256(key.publicKey, other, sig)).toBe(false);
    }
  });

  test('a key made in the browser cannot be exported', async () => {
    const key = await generateP256();
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
  });

  test('an imported key file signs as its public key says', async () => {
    const text = keyFile();
    const imported = await importKeyFile(text);
    expect(imported.user).toBe('u1');
    expect(imported.publicKey).toBe(JSON.parse(text).publicKey);
    const message = new TextEncoder().encode('BSN-REQUEST-V1');
    expect(await verifyFastAsync('secp256r1', imported.publicKey, message, fromHex(await signP256(imported.privateKey, message)))).toBe(
      true,
    );
  });

  test('bad key files are refused naming the field', async () => {
    const other = contractHex(publicKeyOf('secp256r1', generatePrivateKey('secp256r1')));
    const cases: Array<[string, string]> = [
      ['not json', '/'],
      [keyFile({ user: '' }), '/user'],
      [keyFile({ algorithm: 'sm2' }), '/algorithm'],
      [keyFile({ algorithm: 'secp256k1' }), '/algorithm'],
      [keyFile({ privateKey: 'abc' }), '/privateKey'],
      [keyFile({ privateKey: '00'.repeat(32) }), '/privateKey'],
      [keyFile({ publicKey: '05' + '00'.repeat(64) }), '/publicKey'],
      [keyFile({ publicKey: other }), '/publicKey'],
    ];
    for (const [text, field] of cases) {
      const err = await importKeyFile(text).catch((e: unknown) => e);
      expect(err, text.slice(0, 60)).toBeInstanceOf(KeyFileError);
      expect((err as KeyFileError).field).toBe(field);
      expect((err as KeyFileError).message).toContain(field === '/' ? 'JSON' : field);
    }
  });

  test('hex round-trips', () => {
    const b = crypto.getRandomValues(new Uint8Array(33));
    expect(fromHex(toHex(b))).toEqual(b);
    expect(() => fromHex('zz')).toThrow(/not hex/);
  });
});
