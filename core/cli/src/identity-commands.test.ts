import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isBsnError,
  verifyBinding,
  type KeyBinding,
  verifyIdentityCertificate,
  openIdentity,
  readIdentityFile,
  ethereumAddress,
} from '@bsn/contract';
import { CliExit, type CliIo } from './io.js';
import { registerIdentityCommands } from './identity-commands.js';

let dir: string;
const PASS = 'pass phrase one';
const FAST = ['--scrypt-n', '1024'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the commands in-process the way program.ts does, mapping errors to exit codes. */
async function run(args: string[], env: Record<string, string | undefined> = { BSN_PASSPHRASE: PASS }): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd: dir,
    stdinIsTTY: false,
    promptSecret: async () => {
      throw new Error('no prompt in tests');
    },
  };
  const program = new Command('bsn').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerIdentityCommands(program, io);
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
    else if (err instanceof CliExit) {
      code = err.exitCode;
      stderr += `${err.message}\n`;
    } else {
      code = 1;
      stderr += `error: ${(err as Error).message}\n`;
      // Like program.ts every other error is a runtime error; a programming error is a test failure.
      if (!isBsnError(err) && (err instanceof TypeError || err instanceof ReferenceError)) throw err;
    }
  }
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bsn-identity-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bsn ca new / identity new / show / bind', () => {
  it('creates a network CA file and its certificate', async () => {
    const r = await run(['ca', 'new', '--out', 'ca.json', '--name', 'Test CA', ...FAST]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('ca.cert.pem');
    const caFile = JSON.parse(await readFile(join(dir, 'ca.json'), 'utf8'));
    expect(caFile).toMatchObject({
      format: 'bsn-ca',
      version: 1,
      name: 'Test CA',
      keystore: { format: 'bsn-keystore', algorithm: 'secp256r1' },
    });
    expect(await readFile(join(dir, 'ca.cert.pem'), 'utf8')).toBe(caFile.certificate);
    expect((await stat(join(dir, 'ca.json'))).mode & 0o777).toBe(0o600);
  });

  it('creates an identity with a certificate from the CA', async () => {
    const r = await run(['identity', 'new', '--out', 'alice.json', '--user', 'alice', '--portal', 'Portal 1', '--ca', 'ca.json', ...FAST]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/user id\s+alice/);
    expect((await stat(join(dir, 'alice.json'))).mode & 0o777).toBe(0o600);
    const file = await readIdentityFile(join(dir, 'alice.json'));
    expect(file.secret.label).toBe('bsn-identity:alice');
    const caPem = await readFile(join(dir, 'ca.cert.pem'), 'utf8');
    const certPem = await readFile(join(dir, 'alice.cert.pem'), 'utf8');
    expect(certPem).toBe(file.certificate);
    const v = await verifyIdentityCertificate(certPem, caPem);
    expect(v).toMatchObject({ ok: true, userId: 'alice', portal: 'Portal 1' });
    const id = openIdentity(file, PASS);
    expect(v.ok && Buffer.from(v.publicKey).toString('hex')).toBe(Buffer.from(id.masterPublicKey).toString('hex'));
  });

  it('refuses to overwrite an identity file (exit 1) and leaves it unchanged', async () => {
    const before = await readFile(join(dir, 'alice.json'), 'utf8');
    const r = await run(['identity', 'new', '--out', 'alice.json', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*exists already/);
    expect(await readFile(join(dir, 'alice.json'), 'utf8')).toBe(before);
  });

  it('shows the derived accounts with Ethereum-style addresses', async () => {
    const r = await run(['identity', 'show', 'alice.json', '--json']);
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout);
    const id = openIdentity(await readIdentityFile(join(dir, 'alice.json')), PASS);
    expect(shown.userId).toBe('alice');
    expect(shown.masterKeyId).toBe(id.masterKeyId);
    expect(shown.accounts.map((a: { framework: string; algorithm: string }) => `${a.framework}/${a.algorithm}`)).toEqual([
      'ethereum/secp256k1',
      'fabric/secp256r1',
      'fisco-bcos/sm2',
      'fisco-bcos/secp256k1',
      'eos/secp256k1',
    ]);
    const eth = shown.accounts[0];
    expect(eth.address).toBe(ethereumAddress(id.keyFor('ethereum', 'secp256k1').publicKey));
    expect(shown.accounts[3].address).toBe(ethereumAddress(id.keyFor('fisco-bcos', 'secp256k1').publicKey));
    expect(shown.accounts[2].address).toBeUndefined();
    const text = await run(['identity', 'show', 'alice.json']);
    expect(text.stdout).toContain(eth.address);
    expect(text.stdout).toContain('CN=alice');
  });

  it('binds the Ethereum account; the binding verifies against the CA', async () => {
    const shown = JSON.parse((await run(['identity', 'show', 'alice.json', '--json'])).stdout);
    const address = shown.accounts[0].address as string;
    const r = await run([
      'identity',
      'bind',
      'alice.json',
      '--framework',
      'ethereum',
      '--algorithm',
      'secp256k1',
      '--account',
      address.toLowerCase(),
      '--out',
      'binding.json',
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const binding = JSON.parse(await readFile(join(dir, 'binding.json'), 'utf8')) as KeyBinding;
    const res = await verifyBinding(binding, {
      caCertificatePem: await readFile(join(dir, 'ca.cert.pem'), 'utf8'),
      identityCertificatePem: await readFile(join(dir, 'alice.cert.pem'), 'utf8'),
    });
    expect(res).toMatchObject({ ok: true, userId: 'alice', framework: 'ethereum' });
  });

  it('refuses to bind an address that is not the derived one (exit 2)', async () => {
    const r = await run([
      'identity',
      'bind',
      'alice.json',
      '--framework',
      'ethereum',
      '--algorithm',
      'secp256k1',
      '--account',
      '0x' + '11'.repeat(20),
      '--out',
      'b2.json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --account .* is not this identity's ethereum address/);
  });

  it('binds an sm2 account with a caller-given id', async () => {
    const r = await run([
      'identity',
      'bind',
      'alice.json',
      '--framework',
      'fisco-bcos',
      '--algorithm',
      'sm2',
      '--account',
      'alice-sm2',
      '--index',
      '2',
      '--out',
      'b-sm2.json',
    ]);
    expect(r.code).toBe(0);
    const binding = JSON.parse(await readFile(join(dir, 'b-sm2.json'), 'utf8')) as KeyBinding;
    expect(binding.payload).toMatchObject({ framework: 'fisco-bcos', algorithm: 'sm2', account: 'alice-sm2' });
  });

  it('an identity without --ca has no certificate; bind then asks for one (exit 2)', async () => {
    expect((await run(['identity', 'new', '--out', 'bob.json', ...FAST])).code).toBe(0);
    const file = await readIdentityFile(join(dir, 'bob.json'));
    expect(file.certificate).toBeUndefined();
    expect(file.userId).toMatch(/^id-[0-9a-f]{16}$/);
    const r = await run([
      'identity',
      'bind',
      'bob.json',
      '--framework',
      'eos',
      '--algorithm',
      'secp256k1',
      '--account',
      'bob',
      '--out',
      'bb.json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds no certificate/);
  });
});

describe('passphrases and errors', () => {
  it('reads --passphrase-file and refuses the wrong passphrase with exit 1', async () => {
    await writeFile(join(dir, 'pass.txt'), 'file pass\n');
    expect((await run(['identity', 'new', '--out', 'carol.json', '--passphrase-file', 'pass.txt', ...FAST], {})).code).toBe(0);
    expect((await run(['identity', 'show', 'carol.json', '--passphrase-file', 'pass.txt'], {})).code).toBe(0);
    const wrong = await run(['identity', 'show', 'carol.json'], { BSN_PASSPHRASE: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('error: wrong passphrase or tampered keystore\n');
  });

  it('without any passphrase source it is a usage error (no prompt off a terminal)', async () => {
    const r = await run(['identity', 'new', '--out', 'dave.json', ...FAST], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no passphrase/);
  });

  it('uses BSN_CA_PASSPHRASE for the CA key when set', async () => {
    expect((await run(['ca', 'new', '--out', 'ca2.json', ...FAST], { BSN_PASSPHRASE: 'ca secret' })).code).toBe(0);
    const ok = await run(['identity', 'new', '--out', 'erin.json', '--user', 'erin', '--ca', 'ca2.json', ...FAST], {
      BSN_PASSPHRASE: PASS,
      BSN_CA_PASSPHRASE: 'ca secret',
    });
    expect(ok.code).toBe(0);
    const bad = await run(['identity', 'new', '--out', 'frank.json', '--ca', 'ca2.json', ...FAST], { BSN_PASSPHRASE: PASS });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/wrong passphrase/);
  });

  it.each([
    [['identity', 'new'], /--out/],
    [['identity', 'new', '--out', 'x.json', '--user', 'bad user'], /user/],
    [['identity', 'bind', 'alice.json', '--framework', 'ethereum', '--algorithm', 'rsa', '--account', 'a', '--out', 'o.json'], /algorithm/],
    [['identity', 'bind', 'alice.json', '--framework', 'Eth/x', '--algorithm', 'sm2', '--account', 'a', '--out', 'o.json'], /framework/],
    [['ca', 'new', '--out', 'c.json', '--validity-days', '0'], /days/],
    [['identity', 'show'], /file/],
  ])('usage error for %j (exit 2)', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a missing identity file is a runtime error (exit 1)', async () => {
    const r = await run(['identity', 'show', 'missing.json']);
    expect(r.code).toBe(1);
  });

  it('every command has help text', async () => {
    for (const cmd of [
      ['identity', 'new'],
      ['identity', 'show'],
      ['identity', 'bind'],
      ['ca', 'new'],
    ]) {
      const r = await run([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: bsn /);
      expect(r.stdout).not.toContain('--scrypt-n');
    }
  });
});
