/**
 * `bsn interchain …` against a running city node (memory chain): the grant side is recorded, a
 * call to a network whose adapter delivers no packets is refused with the node's typed reason,
 * and malformed command lines are usage errors. Calls that cross are tested with the node
 * (core/city-node/src/interchain/calls-api.test.ts) and end to end (e2e/src/interchain).
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

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bsn-ic-cli-'));
  node = await startTestNode();
  const alice = node.users['alice']!;
  await writeFile(
    join(work, 'alice.json'),
    JSON.stringify({ user: 'alice', algorithm: alice.algorithm, privateKey: toHex(alice.privateKey) }),
  );
  await alice.rest.createApp({ code: 'src' });
});
afterAll(async () => {
  await node?.stop();
  await rm(work, { recursive: true, force: true });
});

const opts = () => ['--node', node.node.restUrl, '--key', 'alice.json'];

describe('bsn interchain', () => {
  it('grants one side of an authorization (not effective until the peer grants)', async () => {
    const r = await bsn(['interchain', 'grant', 'src', 'p2:other', 'outgoing', '--methods', 'kv.put', ...opts()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sourceApp: 'p1:src', targetApp: 'p2:other', effective: false });
  });

  it("refuses a call the grants do not cover, with the node's reason", async () => {
    const r = await bsn(['interchain', 'call', 'src', 'chain-b', 'p2:other', 'kv.put', 'k', 'v', '--no-wait', ...opts()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not-granted|no grant of both owners/);
  });

  it('refuses malformed command lines as usage errors', async () => {
    expect((await bsn(['interchain', 'call', 'src', 'chain-b', 'dst', 'kv.nope', 'k', ...opts()])).code).toBe(2);
    expect((await bsn(['interchain', 'call', 'src', 'chain-b', 'dst', 'kv.put', 'k', ...opts()])).stderr).toMatch(/kv.put needs a value/);
    expect((await bsn(['interchain', 'grant', 'src', 'dst', 'sideways', ...opts()])).code).toBe(2);
  });
});
