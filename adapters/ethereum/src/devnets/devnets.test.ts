import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Devnet } from '@bsn/devnets';
import { AnvilDevnet } from './anvil.js';
import { GethDevnet } from './geth.js';
import { EthereumContainerDevnet } from './containers.js';
import { jsonRpc } from '@bsn/devnets';

async function bootAndStop(devnet: Devnet, skip: (note: string) => void): Promise<void> {
  const availability = await devnet.available();
  if (!availability.ok) {
    console.warn(`skipped ${devnet.name}: ${availability.reason}`);
    skip(availability.reason);
    return;
  }
  const started = await devnet.start();
  try {
    const rpcUrl = String(started.network.rpcUrl);
    expect(rpcUrl).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+$/);
    expect(started.node.toLowerCase()).toContain(devnet.name.replace('-container', ''));
    const faucet = (started.network.faucet as { privateKey: string }).privateKey;
    expect(faucet).toMatch(/^0x[0-9a-f]{64}$/);
    const chainId = Number(await jsonRpc<string>(rpcUrl, 'eth_chainId'));
    expect(chainId).toBe(started.network.chainId);
  } finally {
    await started.stop();
    await started.stop(); // stopping twice is harmless
  }
  await expect(jsonRpc(String(started.network.rpcUrl), 'eth_chainId')).rejects.toThrow();
  // Chain data is dropped (geth's is over a gigabyte); the log stays for failed runs.
  if (started.logFile) {
    expect(existsSync(started.logFile)).toBe(true);
    expect(existsSync(join(dirname(started.logFile), 'data'))).toBe(false);
  }
}

describe('process devnets', () => {
  it('anvil boots on a free port, answers RPC, and stops completely', async (ctx) => {
    await bootAndStop(new AnvilDevnet(), (note) => ctx.skip(note));
  });

  it('geth --dev built from the Go module proxy boots, funds a faucet, and stops completely', async (ctx) => {
    await bootAndStop(new GethDevnet(), (note) => ctx.skip(note));
  });

  it('two anvils run side by side on different ports', async (ctx) => {
    const a = new AnvilDevnet();
    if (!(await a.available()).ok) return ctx.skip('anvil unavailable');
    const [one, two] = await Promise.all([a.start(), new AnvilDevnet().start()]);
    try {
      expect(one.network.rpcUrl).not.toBe(two.network.rpcUrl);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('keeps the node log after stop, for failed runs', async (ctx) => {
    const devnet = new AnvilDevnet();
    if (!(await devnet.available()).ok) return ctx.skip('anvil unavailable');
    const started = await devnet.start();
    await started.stop();
    expect(started.logFile && existsSync(started.logFile)).toBeTruthy();
    expect(readFileSync(started.logFile!, 'utf8')).toContain('Listening on 127.0.0.1');
  });
});

describe('container devnets', () => {
  it('anvil in a container, or a stated skip when no engine answers', async (ctx) => {
    await bootAndStop(new EthereumContainerDevnet('anvil'), (note) => ctx.skip(note));
  });
});
