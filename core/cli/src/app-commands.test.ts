/**
 * `bsn app …` against a running city node (memory chain): a package file is checked before
 * anything is sent (a bad one is a usage error naming the field, and no app appears), deploy
 * and upgrade carry the package to the node, calls by method name write and read through it,
 * and malformed command lines are usage errors. On a real chain: e2e/src/city-node/custom-contract-e2e.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@bsn/contract';
import { startTestNode } from '@bsn/city-node/testing';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

let work: string;
let node: Awaited<ReturnType<typeof startTestNode>>;

async function bsn(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    cwd: work,
    stdinIsTTY: false,
    promptSecret: async () => '',
  };
  return { code: await runCli(args, io), stdout, stderr };
}

// f() dispatched by its selector (PUSH4 0x26121ff0, EQ): a package the kit's ABI-against-code check accepts.
const abi = [{ type: 'function', name: 'f', inputs: [], outputs: [], stateMutability: 'nonpayable' }];
const good = { format: 'evm-bytecode', abi, bytecode: '0x6326121ff0146000' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bsn-app-cli-'));
  node = await startTestNode();
  const alice = node.users['alice']!;
  await writeFile(
    join(work, 'alice.json'),
    JSON.stringify({ user: 'alice', algorithm: alice.algorithm, privateKey: toHex(alice.privateKey) }),
  );
  await writeFile(join(work, 'good.json'), JSON.stringify(good));
  await writeFile(join(work, 'undispatched.json'), JSON.stringify({ ...good, bytecode: '0x6000' }));
  await writeFile(join(work, 'bad-hex.json'), JSON.stringify({ ...good, bytecode: '0xzz' }));
  await writeFile(join(work, 'not-json.json'), '{ format: evm');
  await alice.rest.createApp({ code: 'kv' });
});
afterAll(async () => {
  await node?.stop();
  await rm(work, { recursive: true, force: true });
});

const opts = () => ['--node', node.node.restUrl, '--key', 'alice.json'];
const appCodes = async () => (await node.users['alice']!.rest.listApps()).apps.map((a) => a['code']);

describe('bsn app', () => {
  it('refuses a bad package before sending it: a usage error naming the file and field, no app created', async () => {
    const before = await appCodes();
    for (const [file, field] of [
      ['undispatched.json', '/contract/package/abi/0'],
      ['bad-hex.json', '/contract/package/bytecode'],
      ['not-json.json', 'a contract package is JSON'],
    ] as const) {
      const r = await bsn(['app', 'deploy', 'refused', file, ...opts()]);
      expect([file, r.code]).toEqual([file, 2]);
      expect(r.stderr).toContain(`${file}: ${field}`);
    }
    const badInit = await bsn(['app', 'deploy', 'refused', 'good.json', '--init', '1nit', ...opts()]);
    expect([badInit.code, badInit.stderr]).toEqual([2, expect.stringContaining('/contract/call/method')]);
    expect(await appCodes()).toEqual(before);
  });

  it('deploys a package as an app with its initializer, and upgrades it, through the node', async () => {
    const r = await bsn(['app', 'deploy', 'custom', 'good.json', '--init', 'f', ...opts()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'custom', chain: { contract: { kind: 'package', version: 1 } } });
    expect(await appCodes()).toContain('custom');
    const up = await bsn(['app', 'upgrade', 'custom', 'good.json', '--migrate', 'f', ...opts()]);
    expect([up.code, up.stderr]).toEqual([0, '']);
    expect(JSON.parse(up.stdout)).toMatchObject({ code: 'custom' });
  });

  it("calls and reads by method name; the node's refusal names its reason", async () => {
    const put = await bsn(['app', 'call', 'kv', 'put', 'greeting', 'hello', '--request-id', 'cli-put-1', ...opts()]);
    expect([put.code, put.stderr]).toEqual([0, '']);
    const receipt = JSON.parse(put.stdout) as { txId: string };
    expect(receipt.txId).toMatch(/./);
    const again = await bsn(['app', 'call', 'kv', 'put', 'greeting', 'hello', '--request-id', 'cli-put-1', ...opts()]);
    expect((JSON.parse(again.stdout) as { txId: string }).txId, 'the same request id, the first receipt').toBe(receipt.txId);
    const read = await bsn(['app', 'call', 'kv', 'get', 'greeting', '--read', ...opts()]);
    expect([read.code, read.stderr]).toEqual([0, '']);
    expect(JSON.parse(read.stdout)).toMatchObject({ resultText: 'hello' });
    const missing = await bsn(['app', 'call', 'no-such-app', 'get', 'k', '--read', ...opts()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/the node refused \(NOT_FOUND, app-not-found/);
  });

  it('refuses malformed command lines as usage errors', async () => {
    expect((await bsn(['app', 'deploy', 'x', 'good.json', '--arg', '1', ...opts()])).code).toBe(2);
    expect((await bsn(['app', 'deploy', 'x', 'good.json', '--placement', 'nowhere', ...opts()])).code).toBe(2);
    expect((await bsn(['app', 'call', 'kv', 'get', 'k', '--read', '--request-id', 'r', ...opts()])).code).toBe(2);
    expect((await bsn(['app', 'call', 'kv', ...opts()])).code).toBe(2);
    expect((await bsn(['app', 'upgrade', 'kv', 'missing.json', ...opts()])).code).toBe(1);
  });
});
