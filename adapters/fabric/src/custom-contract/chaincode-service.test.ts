// The chaincode server's confinement and supervision without a network: the real shim server
// process, started as the adapter starts it, on packages that behave well, throw at start, or
// start looping a moment after they listen.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InvalidInputError, type FabricNodeChaincodePackage } from '@bsn/contract';
import { SILENT_LOGGER } from '@bsn/contract/testing';
import { chaincodeCommand, providedClosure } from './chaincode-confinement.js';
import { ChaincodeService } from './chaincode-service.js';
import { checkDependencies, writePackage } from './package-folder.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const chaincode = (top: string, deps: Record<string, string> = {}): FabricNodeChaincodePackage => ({
  format: 'fabric-chaincode-node',
  files: {
    'package.json': b64(
      JSON.stringify({ name: 'probe', main: 'index.js', scripts: { start: 'fabric-chaincode-node start' }, dependencies: deps }),
    ),
    'index.js': b64(
      `'use strict';\n${top}\nconst { Contract } = require('fabric-contract-api');\nclass C extends Contract { async ping() { return 'pong'; } }\nmodule.exports.contracts = [C];\n`,
    ),
  },
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const started: ChaincodeService[] = [];
const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function service(pkg: FabricNodeChaincodePackage, cpuSeconds = 60): Promise<ChaincodeService> {
  const dir = mkdtempSync(join(tmpdir(), 'bsn-cc-service-'));
  scratch.push(dir);
  writePackage(pkg, join(dir, 'pkg'));
  const s = new ChaincodeService({
    name: 'probe',
    packageDir: join(dir, 'pkg'),
    address: `127.0.0.1:${await freePort()}`,
    packageId: 'probe_1:00',
    limits: { cpuSeconds, heapMb: 64, addressSpaceMb: 2048 },
    logFile: join(dir, 'probe.log'),
    logger: SILENT_LOGGER,
  });
  started.push(s);
  return s;
}

describe('the chaincode server command', () => {
  test('reads only its package and the shim closure, under CPU and address-space limits, with no inherited environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bsn-cc-cmd-'));
    scratch.push(dir);
    process.env.BSN_PASSPHRASE = 'must not pass';
    try {
      const cmd = chaincodeCommand({
        packageDir: dir,
        address: '127.0.0.1:1',
        packageId: 'x:1',
        limits: { cpuSeconds: 7, heapMb: 99, addressSpaceMb: 2048 },
      });
      expect(cmd.args.slice(0, 3)).toEqual(['--cpu=7:8', `--as=${2048 * 1024 * 1024}:${2048 * 1024 * 1024}`, '--']);
      expect(cmd.args).toContain('--max-old-space-size=99');
      const reads = cmd.args.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice('--allow-fs-read='.length));
      expect(reads[0]).toBe(dir);
      expect(reads.slice(1).every((p) => p.includes('/node_modules/'))).toBe(true);
      expect(reads.some((p) => p.endsWith('/node_modules/fabric-shim'))).toBe(true);
      expect(cmd.args.filter((a) => /^--allow-(fs-write|child-process|worker|addons|wasi)/.test(a))).toEqual([]);
      expect(Object.keys(cmd.env).sort()).toEqual(expect.arrayContaining(['CORE_CHAINCODE_LOGGING_LEVEL', 'NODE_PATH']));
      expect(JSON.stringify(cmd.env)).not.toContain('must not pass');
    } finally {
      delete process.env.BSN_PASSPHRASE;
    }
    // The closure follows dependencies the package's exports hide (logform → safe-stable-stringify).
    expect(providedClosure().some((p) => p.endsWith('/safe-stable-stringify'))).toBe(true);
  });

  test('a dependency neither provided nor shipped is refused at the package.json', () => {
    expect(() => checkDependencies(chaincode('', { 'fabric-contract-api': '2.5.8' }))).not.toThrow();
    const shipped = chaincode('', { 'left-pad': '1.3.0' });
    shipped.files['node_modules/left-pad/package.json'] = b64('{"name":"left-pad"}');
    expect(() => checkDependencies(shipped)).not.toThrow();
    let refused: unknown;
    try {
      checkDependencies(chaincode('', { 'left-pad': '1.3.0' }));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as InvalidInputError).field).toBe('/contract/package/files/package.json');
  });
});

describe('a supervised chaincode server', () => {
  test('starts and listens; one that throws at start is reported with its own words', async () => {
    const good = await service(chaincode(''));
    await good.start();
    await good.settled(300);
    expect(good.running).toBe(true);
    const bad = await service(chaincode("throw new Error('cannot start here');"));
    await expect(bad.start()).rejects.toThrow(/cannot start here/);
    expect(bad.running).toBe(false);
  }, 60_000);

  test('a server that starts looping is stopped at its CPU limit and started again', async () => {
    // Listens, then burns CPU a moment later: the kernel ends it at 1 CPU second.
    const looping = await service(chaincode('setTimeout(() => { for (;;) {} }, 500);'), 1);
    await looping.start();
    const deadline = Date.now() + 30_000;
    while (looping.exits.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(looping.exits[0]).toMatchObject({ cpuLimit: true });
    expect(['SIGXCPU', 'SIGKILL']).toContain(looping.exits[0]!.signal);
    while (looping.starts < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(looping.starts).toBe(2);
    await looping.stop();
    expect(readFileSync(looping.o.logFile, 'utf8')).toContain('Bootstrap process completed');
  }, 60_000);
});
