/**
 * A fleet of city node instances (`bsn node start` processes) on one PostgreSQL registry and
 * one endpoint chain, behind Debian's HAProxy checking `/readyz`, for the fleet test and bench.
 * Each instance can be stopped (SIGTERM, timed) and started again; the balancer is the only
 * address clients use.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './ethereum-e2e.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Why there is no HAProxy here, or undefined. */
export function haproxySkipReason(): string | undefined {
  const found = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  return found.status === 0 ? undefined : 'HAProxy is not installed (apt-get install haproxy; .ci/run installs it)';
}

export interface FleetOptions {
  dir: string;
  instances: number;
  /** The node config every instance shares, minus node.name/dataDir and listen. */
  config: Record<string, unknown>;
  passphrase: string;
}

export interface Instance {
  name: string;
  restPort: number;
  process?: ChildProcess;
  output: string;
}

export class Fleet {
  readonly instances: Instance[] = [];
  balancerUrl = '';
  private haproxy?: ChildProcess;
  private haproxyOutput = '';

  private constructor(private readonly o: FleetOptions) {}

  static async start(o: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(o);
    for (let i = 0; i < o.instances; i++) fleet.instances.push({ name: `node-${i + 1}`, restPort: await freePort(), output: '' });
    // One at a time: the first creates the node key the others share.
    for (const instance of fleet.instances) await fleet.startInstance(instance);
    await fleet.startBalancer();
    return fleet;
  }

  private async startBalancer(): Promise<void> {
    const port = await freePort();
    const cfg = join(this.o.dir, 'haproxy.cfg');
    const servers = this.instances.map((i) => `  server ${i.name} 127.0.0.1:${i.restPort} check inter 250 fall 1 rise 1`).join('\n');
    await writeFile(
      cfg,
      `global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  retries 3
  option redispatch
  retry-on conn-failure empty-response
frontend gateway
  bind 127.0.0.1:${port}
  default_backend nodes
backend nodes
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
${servers}
`,
    );
    this.haproxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.haproxy.stdout!.on('data', (d: Buffer) => (this.haproxyOutput += d.toString()));
    this.haproxy.stderr!.on('data', (d: Buffer) => (this.haproxyOutput += d.toString()));
    this.balancerUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${this.balancerUrl}/readyz`)).status === 200,
      20_000,
      () => `HAProxy did not answer:\n${this.haproxyOutput}`,
    );
    // Every server seen up by its checks before load starts.
    await new Promise((r) => setTimeout(r, 600));
  }

  async startInstance(instance: Instance): Promise<void> {
    const dataDir = join(this.o.dir, instance.name);
    await mkdir(dataDir, { recursive: true });
    const configFile = join(dataDir, 'node.json');
    await writeFile(
      configFile,
      JSON.stringify({
        ...this.o.config,
        node: { name: instance.name, dataDir },
        listen: { restPort: instance.restPort, grpc: false },
      }),
    );
    instance.output = '';
    const child = spawn(process.execPath, [join(ROOT, 'core/cli/dist/main.js'), 'node', 'start', '--config', configFile], {
      cwd: this.o.dir,
      env: { ...process.env, BSN_NODE_PASSPHRASE: this.o.passphrase },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (instance.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (instance.output += d.toString()));
    instance.process = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${instance.name} exited (${child.exitCode}):\n${instance.output}`);
        return (await fetch(`http://127.0.0.1:${instance.restPort}/readyz`)).status === 200;
      },
      90_000,
      () => `${instance.name} did not become ready:\n${instance.output}`,
    );
  }

  /** SIGTERM, then resolves to its exit code and how long it took to exit. */
  async stopInstance(instance: Instance): Promise<{ code: number | null; ms: number }> {
    const child = instance.process;
    if (!child || child.exitCode !== null) return { code: child?.exitCode ?? null, ms: 0 };
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    return { code, ms: Date.now() - started };
  }

  async stop(): Promise<void> {
    for (const i of this.instances) {
      if (i.process && i.process.exitCode === null) {
        i.process.kill('SIGKILL');
        await new Promise((r) => i.process!.once('exit', r));
      }
    }
    if (this.haproxy && this.haproxy.exitCode === null) {
      this.haproxy.kill('SIGKILL');
      await new Promise((r) => this.haproxy!.once('exit', r));
    }
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if ((err as Error).message.includes('exited')) throw err;
    }
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}
