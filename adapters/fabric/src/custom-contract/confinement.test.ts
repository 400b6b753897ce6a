// User chaincode is untrusted code on the node's machine: on the real devnet, a chaincode that
// tries to read the node's files and another app's package, to see the node's environment and to
// start a process is refused each time; one that loops is stopped at its CPU limit and started
// again, while another app's chaincode answers throughout, in its own unchanged process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AppInfo, ContractSource } from '@bsn/contract';
import { testContext, text, unique } from '@bsn/contract/testing';
import type { FabricAdapter } from '../adapter.js';
import factory from '../index.js';
import { actor, failure, useFabricNetwork, type Actor } from '../__fixtures__/network.js';
import { packageFolderOf } from './custom-apps.js';

const fabric = useFabricNetwork({ what: 'the Fabric chaincode confinement tests' });
const CPU_SECONDS = 3;
const SECRET = 'bsn-test-passphrase-that-must-not-leak';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const pkg = (name: string, body: string): ContractSource => ({
  kind: 'package',
  package: {
    format: 'fabric-chaincode-node',
    files: {
      'package.json': b64(JSON.stringify({ name, main: 'index.js', scripts: { start: 'fabric-chaincode-node start' } })),
      'index.js': b64(
        `'use strict';\nconst { Contract } = require('fabric-contract-api');\nclass C extends Contract {\n${body}\n}\nmodule.exports.contracts = [C];\n`,
      ),
    },
  },
});

/** A chaincode that tries what a confined one must not do, and can be made to loop. */
const probe = pkg(
  'probe',
  `async ping() { return 'pong'; }
  async read(ctx, path) { return require('node:fs').readFileSync(path, 'utf8').slice(0, 200); }
  async env() { return JSON.stringify(process.env); }
  async run() { return String(require('node:child_process').execFileSync('/bin/echo', ['ran'])); }
  async spin() { for (;;) {} }`,
);
const counter = pkg('counter', `async ping() { return 'pong'; }\n  async pid() { return String(process.pid); }`);

let adapter: FabricAdapter;
let dataDir: string;
let owner: Actor;
let probeApp: AppInfo;
let counterApp: AppInfo;
let nodeKeyFile: string;

const spec = (appId: string, contract: ContractSource) => ({
  appId,
  name: appId,
  framework: 'fabric',
  mode: 'consortium' as const,
  placement: 'shared' as const,
  contract,
  members: [],
});

beforeAll(async () => {
  if (fabric.skipped) return;
  dataDir = mkdtempSync(join(tmpdir(), 'bsn-confined-cc-'));
  // What the node keeps that a chaincode must not read: a key file beside the packages, and a
  // secret in the node's environment.
  nodeKeyFile = join(dataDir, 'node-key.pem');
  writeFileSync(nodeKeyFile, '-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n');
  process.env.BSN_PASSPHRASE = SECRET;
  adapter = (await factory.connect(
    { ...fabric.devnet.network, customChaincode: { cpuSeconds: CPU_SECONDS } },
    testContext(dataDir),
  )) as FabricAdapter;
  owner = await actor(adapter);
  probeApp = await adapter.lifecycle.create(spec(unique('probe'), probe), owner.signer);
  counterApp = await adapter.lifecycle.create(spec(unique('counter'), counter), owner.signer);
}, 120_000);

afterAll(async () => {
  delete process.env.BSN_PASSPHRASE;
  await adapter?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const call = async (app: AppInfo, method: string, ...args: string[]) =>
  text((await adapter.gateway.evaluate({ app: { appId: app.appId }, method, args })).result);

describe('a chaincode server is confined', () => {
  test("its own package is readable; the node key file, another app's package, the node's environment and processes are not", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const own = join(packageFolderOf(dataDir, probeApp.appId, 1), 'package.json');
    expect(JSON.parse(await call(probeApp, 'read', own)).name).toBe('probe');
    const other = join(packageFolderOf(dataDir, counterApp.appId, 1), 'package.json');
    expect(JSON.parse(readFileSync(other, 'utf8')).name).toBe('counter'); // it is there, for the node
    for (const path of [nodeKeyFile, other, '/etc/hostname']) {
      const refused = await failure(call(probeApp, 'read', path));
      expect([path, refused.message]).toEqual([path, expect.stringMatching(/ERR_ACCESS_DENIED|Access to this API has been restricted/)]);
    }
    const env = JSON.parse(await call(probeApp, 'env')) as Record<string, string>;
    expect(JSON.stringify(env)).not.toContain(SECRET);
    // What it was given, plus what the shim sets for itself (its gRPC cipher suites).
    expect(Object.keys(env).filter((k) => !/^(NODE_PATH|CORE_CHAINCODE_LOGGING_LEVEL|TZ|GRPC_SSL_CIPHER_SUITES)$/.test(k))).toEqual([]);
    expect((await failure(call(probeApp, 'run'))).message).toMatch(/ERR_ACCESS_DENIED|Access to this API has been restricted/);
    // The process itself: under the permission model and the kernel's limits.
    const pid = adapter.custom.service(probeApp.appId)!.pid!;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('--experimental-permission');
    expect(cmdline.filter((a) => a.startsWith('--allow-fs-write') || a === '--allow-child-process')).toEqual([]);
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    expect(limits).toMatch(new RegExp(`Max cpu time\\s+${CPU_SECONDS}\\s+${CPU_SECONDS + 1}\\s+seconds`));
    expect(limits).toMatch(/Max address space\s+2147483648\s+2147483648\s+bytes/);
  }, 60_000);

  test('a looping chaincode is stopped at its CPU limit and restarted; another app answers during and after', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const probeService = adapter.custom.service(probeApp.appId)!;
    const counterPid = await call(counterApp, 'pid');
    const startsBefore = probeService.starts;
    let answered = 0;
    let looping = true;
    const healthy = (async () => {
      while (looping) {
        expect(await call(counterApp, 'ping')).toBe('pong');
        answered++;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const started = performance.now();
    const spun = await failure(call(probeApp, 'spin'));
    const took = Math.round(performance.now() - started);
    looping = false;
    await healthy;
    console.info(`looping chaincode refused after ${took} ms (${spun.code}); the other app answered ${answered} times meanwhile`);
    expect(answered).toBeGreaterThan(0);
    const exit = probeService.exits.at(-1)!;
    expect(exit).toMatchObject({ cpuLimit: true });
    expect(['SIGXCPU', 'SIGKILL']).toContain(exit.signal);
    // Started again: it answers, and the other app's server is the same process as before.
    const deadline = Date.now() + 30_000;
    while (!(await call(probeApp, 'ping').catch(() => undefined))) {
      if (Date.now() > deadline) throw new Error('the probe chaincode did not come back');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(probeService.starts).toBe(startsBefore + 1);
    expect(await call(counterApp, 'pid')).toBe(counterPid);
  }, 120_000);
});
