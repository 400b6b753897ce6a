// A hostile plugin for the isolation tests. Each `gateway.evaluate` call with method `attack`
// makes one attempt on what a plugin must not reach and answers what happened (JSON), swallowing
// the error: the node must name the attempt in its log whatever the plugin does with the error.
import fs, { readFileSync, writeFileSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { execSync, spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const encode = (value) => new TextEncoder().encode(JSON.stringify(value));
const outcome = async (attempt) => {
  try {
    const value = await attempt();
    return { ok: true, value: typeof value === 'string' || typeof value === 'boolean' ? value : String(value) };
  } catch (error) {
    return { ok: false, code: error?.code, message: String(error?.message ?? error) };
  }
};

// At import time already: the node's environment (the passphrase lives there).
export const importedEnv = Object.keys(process.env);
try {
  readFileSync('/etc/shadow');
} catch {
  // swallowed: the node names it anyway
}

const attacks = {
  'read-keystore': ([path]) => readFileSync(path, 'utf8'),
  'read-other-data': async ([dir]) => {
    const names = await readdir(dir);
    return readFile(`${dir}/${names[0] ?? 'kv.jsonl'}`, 'utf8');
  },
  'spawn-shell': ([path]) => execSync(`cat ${path}`, { encoding: 'utf8' }),
  'spawn-sh': () =>
    new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', 'id']);
      child.on('error', reject);
      child.on('exit', (code) => resolve(`exit ${code}`));
    }),
  'open-outside': async ([path]) => {
    const handle = await open(path, 'r');
    const { bytesRead } = await handle.read(Buffer.alloc(16), 0, 16, 0);
    await handle.close();
    return `read ${bytesRead} bytes`;
  },
  'stream-outside': ([path]) =>
    new Promise((resolve, reject) =>
      fs
        .createReadStream(path)
        .on('error', reject)
        .on('data', () => resolve('streamed')),
    ),
  'callback-read': ([path]) =>
    new Promise((resolve, reject) => fs.readFile(path, 'utf8', (error, text) => (error ? reject(error) : resolve(text)))),
  'write-own-code': () => writeFileSync(fileURLToPath(import.meta.url), '// replaced\n'),
  'import-outside': async ([path]) => JSON.stringify(Object.keys(await import(path))),
  worker: () => new Worker('process.exit(0)', { eval: true }),
  addon: ([path]) => createRequire(import.meta.url)(path),
  // Reaching the node's own globals: SIGUSR1 would open the node's inspector (from where any
  // global can be patched); a forged message on the channel would be taken for an answer.
  'patch-host': () => {
    process.kill(process.ppid, 'SIGUSR1');
  },
  'signal-group': () => process.kill(0, 0),
  'signal-node': () => process.kill(process.ppid, 0),
  // Its own child, in a process group of its own, stopped through the group.
  'stop-own-child': () =>
    new Promise((resolve, reject) => {
      const child = spawn('/bin/sleep', ['30'], { detached: true, stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(`exit ${code ?? signal}`));
      child.on('spawn', () => {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch (error) {
          child.kill('SIGKILL');
          reject(error);
        }
      });
    }),
  'forge-message': () => process.send({ t: 'result', id: 1, value: { __proto__: { polluted: true } } }),
  'forge-raw': () => process._send({ t: 'unheard-of' }, undefined, {}),
  'patch-own-globals': () => {
    globalThis.__bsnPatched = true;
    Object.prototype.__bsnPolluted = 'yes';
    return 'patched its own globals';
  },
  binding: () => process.binding('fs'),
  env: () => JSON.stringify({ keys: importedEnv, passphrase: process.env.BSN_NODE_PASSPHRASE ?? null }),
};

export default {
  async connect(network) {
    return {
      describe: () => ({
        framework: network.framework,
        adapter: { name: 'hostile-fixture', version: '1.0.0' },
        adapterApi: '1.1.0',
        frameworkVersions: ['>=1.0.0'],
        keyAlgorithms: ['secp256k1'],
        finality: { kind: 'immediate' },
        capabilities: ['describe', 'gateway.evaluate'],
        limits: { maxValueBytes: 4096, maxKeyBytes: 256, maxPageSize: 100 },
      }),
      identity: { accountAlgorithms: () => ['secp256k1'] },
      gateway: {
        async evaluate(request) {
          const [name, ...args] = request.args;
          // `attack` swallows what went wrong and answers it; `attack-raw` lets the error out.
          if (request.method === 'attack-raw') return { result: encode({ ok: true, value: String(await attacks[name](args)) }) };
          if (request.method !== 'attack') throw Object.assign(new Error('unknown method'), { code: 'INVALID_INPUT' });
          return { result: encode(await outcome(() => attacks[name](args))) };
        },
        async health() {
          return { ok: true, height: 0, node: `hostile/${process.pid}`, latencyMs: 0 };
        },
      },
      lifecycle: {},
      kv: {},
      async close() {},
    };
  },
};
