import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Availability, Devnet, StartedDevnet } from '@bsn/devnets';
import { freePort, NodeProcess, jsonRpc, waitFor } from '@bsn/devnets';
import { ethereumNetwork } from './ethereum-network.js';

const require = createRequire(import.meta.url);

function anvilBinary(): string | undefined {
  try {
    const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
    return join(dirname(pkg), 'bin', 'anvil');
  } catch {
    return undefined;
  }
}

/** anvil from the npm package `@foundry-rs/anvil-linux-amd64`, on a free loopback port. */
export class AnvilDevnet implements Devnet {
  /** The target's name in reports (`anvil`, or a variant such as `anvil-final`). */
  constructor(readonly name = 'anvil') {}
  readonly framework = 'ethereum';
  readonly kind = 'process' as const;
  private blockTime?: number;
  private confirmations = 0;

  /** Mine a block every `seconds` instead of one per transaction. */
  withBlockTime(seconds: number): this {
    this.blockTime = seconds;
    return this;
  }

  /** The confirmation depth adapters are told to wait for. */
  withConfirmations(depth: number): this {
    this.confirmations = depth;
    return this;
  }

  async available(): Promise<Availability> {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      return { ok: false, reason: `anvil's npm build is linux-x64 only (this is ${process.platform}-${process.arch})` };
    }
    return anvilBinary() ? { ok: true } : { ok: false, reason: 'npm package @foundry-rs/anvil-linux-amd64 is not installed' };
  }

  async start(): Promise<StartedDevnet> {
    const binary = anvilBinary();
    if (!binary) throw new Error('anvil is not installed (npm package @foundry-rs/anvil-linux-amd64)');
    const dir = mkdtempSync(join(tmpdir(), 'bsn-anvil-'));
    const port = await freePort();
    const configOut = join(dir, 'accounts.json');
    const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', '31337', '--accounts', '2', '--config-out', configOut];
    if (this.blockTime) args.push('--block-time', String(this.blockTime));
    const node = NodeProcess.start({ command: binary, args, logFile: join(dir, 'anvil.log') });
    const rpcUrl = `http://127.0.0.1:${port}`;
    try {
      const version = await waitFor(() => jsonRpc<string>(rpcUrl, 'web3_clientVersion'), {
        what: 'anvil',
        timeoutMs: 30_000,
        process: node,
      });
      // anvil writes its funded accounts' keys here: nothing about them is hard-coded.
      const accounts = JSON.parse(readFileSync(configOut, 'utf8')) as { private_keys: string[] };
      const faucetKey = accounts.private_keys[0];
      if (!faucetKey) throw new Error(`anvil wrote no funded account to ${configOut}`);
      return {
        name: this.name,
        kind: this.kind,
        node: version,
        logFile: node.logFile,
        network: ethereumNetwork({ name: this.name, rpcUrl, chainId: 31337, confirmations: this.confirmations, faucetKey }),
        stop: () => node.stop(),
      };
    } catch (error) {
      await node.stop();
      throw error;
    }
  }
}
