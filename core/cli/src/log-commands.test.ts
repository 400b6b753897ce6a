import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, isBsnError, signDocument } from '@bsn/contract';
import {
  CERTIFICATE_DOMAIN,
  LOG_FILES,
  LogVerifier,
  memorySthStore,
  readLogPublicKey,
  type CertifierKey,
  type InclusionEvidence,
  type PluginCertificate,
} from '@bsn/plugin-host';
import { makeCertifier } from '@bsn/plugin-host/testing';
import { CliExit, type CliIo } from './io.js';
import { registerLogCommands } from './log-commands.js';

let dir: string;
const PASS = 'log pass phrase';
const FAST = ['--scrypt-n', '1024'];
const acme = makeCertifier('Acme Certification');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bsn log …` in-process the way program.ts does, mapping errors to exit codes. */
async function run(
  args: string[],
  options: { env?: Record<string, string>; untilStopped?: () => Promise<string>; onStdout?: (text: string) => void } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
      options.onStdout?.(t);
    },
    stderr: (t) => void (stderr += t),
    env: options.env ?? { BSN_PASSPHRASE: PASS },
    cwd: dir,
    stdinIsTTY: false,
    promptSecret: async () => {
      throw new Error('no prompt in tests');
    },
  };
  const program = new Command('bsn').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerLogCommands(program, io, options.untilStopped ? { untilStopped: options.untilStopped } : {});
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
      if (!isBsnError(err) && (err instanceof TypeError || err instanceof ReferenceError)) throw err;
    }
  }
  return { code, stdout, stderr };
}

/** A schema-valid certificate signed by `key`, distinct per `n`. */
function certificate(n: number, key: CertifierKey = acme.key): PluginCertificate {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const payload = {
    v: 1,
    plugin: { name: `@acme/adapter-${n}`, version: '1.0.0', framework: 'ethereum', digest: `sha256:${sha(`plugin ${n}`)}` },
    suite: { name: '@bsn/conformance', version: '0.1.0' },
    target: { kind: 'process', node: 'anvil/v1.7.1', name: 'anvil' },
    verdict: 'pass',
    level: 'full',
    report: { sha256: sha(`report ${n}`) },
    issuedAt: '2025-06-02T00:00:00.000Z',
    expiresAt: '2026-06-02T00:00:00.000Z',
    certifier: { name: key.name },
  };
  return signDocument(payload, CERTIFICATE_DOMAIN, {
    algorithm: key.algorithm,
    privateKey: key.privateKey,
  }) as unknown as PluginCertificate;
}

async function writeCertificate(n: number, key?: CertifierKey): Promise<string> {
  const file = `cert-${n}.json`;
  await writeFile(join(dir, file), `${JSON.stringify(certificate(n, key), null, 2)}\n`);
  return file;
}

/** A new log folder `name` serving the acme certifier, with certificates 0..count-1 added. */
async function newLog(name: string, count = 0): Promise<void> {
  const created = await run(['log', 'new', '--out', name, '--name', `${name}-log`, '--certifier', 'acme.pub.json', ...FAST]);
  expect(created).toMatchObject({ code: 0 });
  for (let i = 0; i < count; i++) expect(await run(['log', 'add', '--dir', name, await writeCertificate(i)])).toMatchObject({ code: 0 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bsn-log-cli-'));
  await writeFile(join(dir, 'acme.pub.json'), JSON.stringify(acme.trust));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bsn log new', () => {
  it('creates the folder, an encrypted 0600 key and the public key to pin, and will not overwrite it', async () => {
    const r = await run(['log', 'new', '--out', 'first', '--name', 'first-log', '--certifier', 'acme.pub.json', ...FAST]);
    expect(r).toMatchObject({ code: 0 });
    const pub = await readLogPublicKey(join(dir, 'first', LOG_FILES.publicKey));
    expect(JSON.parse(r.stdout)).toEqual(pub);
    expect(pub).toMatchObject({ name: 'first-log', algorithm: 'secp256r1' });
    const keystore = JSON.parse(await readFile(join(dir, 'first', LOG_FILES.signingKey), 'utf8'));
    expect(keystore).toMatchObject({ format: 'bsn-keystore', algorithm: 'secp256r1' });
    expect((await stat(join(dir, 'first', LOG_FILES.signingKey))).mode & 0o777).toBe(0o600);
    const config = JSON.parse(await readFile(join(dir, 'first', LOG_FILES.config), 'utf8'));
    expect(config.certifiers).toEqual([expect.objectContaining({ name: 'Acme Certification', publicKey: acme.trust.publicKey })]);
    const again = await run(['log', 'new', '--out', 'first', '--name', 'first-log', ...FAST]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('holds a log already');
  });

  it('needs a passphrase and a name', async () => {
    expect((await run(['log', 'new', '--out', 'nopass', '--name', 'x', ...FAST], { env: {} })).code).toBe(2);
    expect((await run(['log', 'new', '--out', 'noname', ...FAST])).code).toBe(2);
  });
});

describe('bsn log add', () => {
  it('appends a certificate and prints inclusion evidence a city node accepts', async () => {
    await newLog('adds');
    const r = await run(['log', 'add', '--dir', 'adds', await writeCertificate(1), '--out', 'evidence.json']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stderr).toContain('added as leaf 0; tree size 1');
    const evidence = JSON.parse(r.stdout) as InclusionEvidence;
    expect(JSON.parse(await readFile(join(dir, 'evidence.json'), 'utf8'))).toEqual(evidence);
    const node = new LogVerifier({
      log: await readLogPublicKey(join(dir, 'adds', LOG_FILES.publicKey)),
      store: memorySthStore(),
      consistency: async () => [],
    });
    expect(await node.checkCertificate(certificate(1), evidence)).toMatchObject({ accepted: true, index: 0 });

    const dup = await run(['log', 'add', '--dir', 'adds', 'cert-1.json']);
    expect(dup).toMatchObject({ code: 0 });
    expect(dup.stderr).toContain('already in the log as leaf 0');
  });

  it('refuses documents the log does not serve, and wrong passphrases', async () => {
    await newLog('refuses');
    const stranger = makeCertifier('Stranger');
    const untrusted = await run(['log', 'add', '--dir', 'refuses', await writeCertificate(7, stranger.key)]);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toContain('not by a certifier this log serves');
    await writeFile(join(dir, 'junk.json'), '{"kind":"certificate","document":{}}');
    expect((await run(['log', 'add', '--dir', 'refuses', 'junk.json'])).code).toBe(3);
    await writeFile(join(dir, 'notjson.json'), 'nope');
    expect((await run(['log', 'add', '--dir', 'refuses', 'notjson.json'])).code).toBe(3);
    expect((await run(['log', 'add', '--dir', 'refuses', 'absent.json'])).code).toBe(1);
    const wrong = await run(['log', 'add', '--dir', 'refuses', 'cert-1.json'], { env: { BSN_PASSPHRASE: 'wrong' } });
    expect(wrong.code).toBe(1);
  });
});

describe('bsn log verify', () => {
  it('passes a sound log, and names the leaf changed in place with exit code 3', async () => {
    await newLog('audited', 4);
    const ok = await run(['log', 'verify', '--dir', 'audited']);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^log audited-log: 4 leaves, 5 signed tree heads, all consistent; latest size 4 root [0-9a-f]{64}/);

    const leaves = join(dir, 'audited', LOG_FILES.leaves);
    const lines = (await readFile(leaves, 'utf8')).trimEnd().split('\n');
    lines[1] = canonicalJson({ kind: 'certificate', document: certificate(99) });
    await writeFile(leaves, `${lines.join('\n')}\n`);
    const bad = await run(['log', 'verify', '--dir', 'audited']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('log audited-log failed the audit: leaf 1 was changed');
  });

  it('remembers the head it saw, and refuses a log rewritten and re-signed since', async () => {
    await newLog('remembered', 3);
    const state = ['--state-dir', 'auditor-state'];
    expect(await run(['log', 'verify', '--dir', 'remembered', ...state])).toMatchObject({ code: 0 });
    expect(await run(['log', 'add', '--dir', 'remembered', await writeCertificate(3)])).toMatchObject({ code: 0 });
    expect(await run(['log', 'verify', '--dir', 'remembered', ...state])).toMatchObject({ code: 0 });

    // Leaf 0 replaced, the old heads dropped, and a new head signed: the folder alone now looks sound…
    const leaves = join(dir, 'remembered', LOG_FILES.leaves);
    const lines = (await readFile(leaves, 'utf8')).trimEnd().split('\n');
    lines[0] = canonicalJson({ kind: 'certificate', document: certificate(50) });
    await writeFile(leaves, `${lines.join('\n')}\n`);
    const heads = join(dir, 'remembered', LOG_FILES.treeHeads);
    await writeFile(heads, `${(await readFile(heads, 'utf8')).split('\n')[0]}\n`);
    expect(await run(['log', 'add', '--dir', 'remembered', await writeCertificate(4)])).toMatchObject({ code: 0 });
    expect(await run(['log', 'verify', '--dir', 'remembered'])).toMatchObject({ code: 0 });
    // …but not to an auditor that remembers the head it saw.
    const refused = await run(['log', 'verify', '--dir', 'remembered', ...state]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('refused (log-inconsistent)');
  });

  it('needs one source, and a pinned key for a URL', async () => {
    expect((await run(['log', 'verify'])).code).toBe(2);
    expect((await run(['log', 'verify', '--dir', 'a', '--url', 'http://127.0.0.1:1'])).code).toBe(2);
    expect((await run(['log', 'verify', '--url', 'http://127.0.0.1:1'])).code).toBe(2);
  });
});

describe('bsn log serve', () => {
  it('serves the log on a free 127.0.0.1 port, sees local appends, and is audited over HTTP', async () => {
    await newLog('served', 2);
    let stop!: (signal: string) => void;
    const stopped = new Promise<string>((r) => (stop = r));
    let announce!: (url: string) => void;
    const announced = new Promise<string>((r) => (announce = r));
    const serving = run(['log', 'serve', '--dir', 'served', '--port', '0'], {
      untilStopped: () => stopped,
      onStdout: (text) => {
        const m = /serving at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
        if (m) announce(m[1]!);
      },
    });
    const url = await Promise.race([announced, serving.then((r) => Promise.reject(new Error(`serve ended: ${r.stderr}`)))]);
    try {
      const sth = (await (await fetch(`${url}/sth`)).json()) as { payload: { size: number } };
      expect(sth.payload.size).toBe(2);
      // `bsn log add` on the folder while it is served: the server sees it.
      expect(await run(['log', 'add', '--dir', 'served', await writeCertificate(2)])).toMatchObject({ code: 0 });
      const verified = await run(['log', 'verify', '--url', url, '--key', join('served', LOG_FILES.publicKey)]);
      expect(verified).toMatchObject({ code: 0 });
      expect(verified.stdout).toContain('3 leaves, 4 signed tree heads, all consistent');
    } finally {
      stop('test');
    }
    expect(await serving).toMatchObject({ code: 0 });
  });
});
