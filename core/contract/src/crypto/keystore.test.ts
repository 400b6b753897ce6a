import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ALGORITHMS } from '../contract/keys.js';
import { isBsnError } from '../errors/errors.js';
import { toHex } from '../encoding/bytes.js';
import { generatePrivateKey, publicKeyOf } from './algorithms.js';
import { keyIdOf } from './key-id.js';
import { decryptKey, encryptKey, readKeystore, writeKeystore, type KeystoreFile } from './keystore.js';

/** Tests use the minimum cost; the default (2^17) is exercised once below. */
const FAST = { scryptN: 2 ** 10 };
const PASS = 'correct horse battery staple';

function expectUnauthorized(fn: () => unknown): void {
  try {
    fn();
    expect.unreachable('expected UnauthorizedError');
  } catch (err) {
    expect(isBsnError(err, 'UNAUTHORIZED')).toBe(true);
    expect((err as Error).message).toBe('wrong passphrase or tampered keystore');
  }
}

/** Flips the lowest bit of the hex digit at `at` (stays valid hex). */
function flipHex(hex: string, at = 0): string {
  const digit = parseInt(hex[at]!, 16) ^ 1;
  return hex.slice(0, at) + digit.toString(16) + hex.slice(at + 1);
}

describe.each(KEY_ALGORITHMS)('keystore round trip (%s)', (algorithm) => {
  const privateKey = generatePrivateKey(algorithm);
  const file = encryptKey({ algorithm, privateKey, label: 'node-1' }, PASS, FAST);

  it('has the documented shape and decrypts with the passphrase', () => {
    const pub = publicKeyOf(algorithm, privateKey);
    expect(file).toMatchObject({
      format: 'bsn-keystore',
      version: 1,
      algorithm,
      publicKey: toHex(pub),
      keyId: keyIdOf(algorithm, pub),
      label: 'node-1',
      kdf: { name: 'scrypt', n: 1024, r: 8, p: 1 },
      cipher: { name: 'aes-256-gcm' },
    });
    expect(file.ciphertext).not.toContain(toHex(privateKey));
    const out = decryptKey(JSON.parse(JSON.stringify(file)), PASS);
    expect(out.algorithm).toBe(algorithm);
    expect(toHex(out.privateKey)).toBe(toHex(privateKey));
  });

  it('refuses a wrong passphrase', () => {
    expectUnauthorized(() => decryptKey(file, PASS + '!'));
  });
});

describe('keystore tamper detection', () => {
  const privateKey = generatePrivateKey('secp256k1');
  const file = encryptKey({ algorithm: 'secp256k1', privateKey, label: 'a' }, PASS, FAST);
  const otherPub = toHex(publicKeyOf('secp256k1', generatePrivateKey('secp256k1')));

  const tamper: Array<[string, (f: KeystoreFile) => void]> = [
    ['ciphertext byte', (f) => (f.ciphertext = flipHex(f.ciphertext, 10))],
    ['auth tag', (f) => (f.cipher.tag = flipHex(f.cipher.tag))],
    ['iv', (f) => (f.cipher.iv = flipHex(f.cipher.iv))],
    ['salt', (f) => (f.kdf.salt = flipHex(f.kdf.salt))],
    ['algorithm header', (f) => (f.algorithm = 'secp256r1')],
    ['publicKey header', (f) => (f.publicKey = otherPub)],
    ['publicKey header byte', (f) => (f.publicKey = flipHex(f.publicKey, 100))],
    ['keyId header', (f) => (f.keyId = keyIdOf('secp256k1', Buffer.from(otherPub, 'hex')))],
    ['label header', (f) => (f.label = 'b')],
    ['label removed', (f) => delete f.label],
    ['kdf cost', (f) => (f.kdf.n = 2048)],
  ];
  it.each(tamper)('a changed %s is refused as UnauthorizedError', (_name, mutate) => {
    const copy = JSON.parse(JSON.stringify(file)) as KeystoreFile;
    mutate(copy);
    expectUnauthorized(() => decryptKey(copy, PASS));
  });

  it('refuses malformed files with InvalidInputError naming the field', () => {
    for (const [mutate, field] of [
      [(f: any) => (f.format = 'x'), '/format'],
      [(f: any) => (f.kdf.n = 2 ** 30), '/kdf/n'],
      [(f: any) => (f.cipher.iv = 'zz'), '/cipher/iv'],
      [(f: any) => (f.algorithm = 'rsa'), '/algorithm'],
    ] as const) {
      const copy = JSON.parse(JSON.stringify(file));
      mutate(copy);
      try {
        decryptKey(copy, PASS);
        expect.unreachable();
      } catch (err) {
        expect(isBsnError(err, 'INVALID_INPUT')).toBe(true);
        expect((err as { field?: string }).field).toBe(field);
      }
    }
  });

  it('refuses an empty passphrase and bad keys at encryption', () => {
    expect(() => encryptKey({ algorithm: 'sm2', privateKey }, '', FAST)).toThrow(/passphrase/);
    expect(() => encryptKey({ algorithm: 'sm2', privateKey: new Uint8Array(32) }, PASS, FAST)).toThrow(/privateKey/);
    expect(() => encryptKey({ algorithm: 'sm2', privateKey }, PASS, { scryptN: 1000 })).toThrow(/scryptN/);
  });

  it('normalises the passphrase (NFKC) so composed and decomposed forms agree', () => {
    const f = encryptKey({ algorithm: 'secp256r1', privateKey: generatePrivateKey('secp256r1') }, 'caf\u00e9', FAST);
    expect(() => decryptKey(f, 'cafe\u0301')).not.toThrow();
  });

  it('uses scrypt N = 2^17 by default', () => {
    const f = encryptKey({ algorithm: 'secp256r1', privateKey: generatePrivateKey('secp256r1') }, PASS);
    expect(f.kdf.n).toBe(2 ** 17);
    expect(decryptKey(f, PASS).algorithm).toBe('secp256r1');
  });
});

describe('keystore files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bsn-keystore-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically with mode 0600 and reads back', async () => {
    const privateKey = generatePrivateKey('sm2');
    const file = encryptKey({ algorithm: 'sm2', privateKey }, PASS, FAST);
    const path = join(dir, 'key.json');
    await writeKeystore(path, file);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['key.json']); // no temp file left behind
    const back = await readKeystore(path);
    expect(back).toEqual(file);
    expect(toHex(decryptKey(back, PASS).privateKey)).toBe(toHex(privateKey));
  });

  it('refuses to overwrite unless asked, and leaves the old key intact', async () => {
    const path = join(dir, 'key2.json');
    const first = encryptKey({ algorithm: 'sm2', privateKey: generatePrivateKey('sm2') }, PASS, FAST);
    const second = encryptKey({ algorithm: 'sm2', privateKey: generatePrivateKey('sm2') }, PASS, FAST);
    await writeKeystore(path, first);
    await expect(writeKeystore(path, second)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readKeystore(path)).toEqual(first);
    await writeKeystore(path, second, { overwrite: true });
    expect(await readKeystore(path)).toEqual(second);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a file that is not JSON or not a keystore', async () => {
    const path = join(dir, 'junk.json');
    await writeFile(path, '{nope');
    await expect(readKeystore(path)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await writeFile(path, '{"format":"other"}');
    await expect(readKeystore(path)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: '/format' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ format: 'other' });
  });
});
