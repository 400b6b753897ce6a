import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type { Availability, Devnet, StartedDevnet } from '@bsn/devnets';
import { freePort, NodeProcess, jsonRpc, waitFor, goBinaryPath, goVersion, type GoCommand } from '@bsn/devnets';
import { ethereumNetwork } from './ethereum-network.js';

export const GETH: GoCommand = {
  pkg: 'github.com/ethereum/go-ethereum/cmd/geth',
  version: 'v1.17.10',
  cacheName: 'geth-v1.17.10',
};

/** `geth --dev` built from the Go module proxy into .cache/chains (see prepare-cli). */
export class GethDevnet implements Devnet {
  /** The target's name in reports (`geth`, or a variant such as `geth-final`). */
  constructor(readonly name = 'geth') {}
  readonly framework = 'ethereum';
  readonly kind = 'process' as const;
  private period = 0;
  private confirmations = 0;

  /** Seconds between blocks; 0 mines only when a transaction is pending. */
  withBlockPeriod(seconds: number): this {
    this.period = seconds;
    return this;
  }

  withConfirmations(depth: number): this {
    this.confirmations = depth;
    return this;
  }

  async available(): Promise<Availability> {
    if (existsSync(goBinaryPath(GETH))) return { ok: true };
    if (!goVersion()) return { ok: false, reason: 'Go is not installed, so geth cannot be built from the Go module proxy' };
    return {
      ok: false,
      reason: `geth is not built yet: run \`node scripts/bootstrap.mjs --for test\` (builds ${GETH.pkg}@${GETH.version})`,
    };
  }

  async start(): Promise<StartedDevnet> {
    const dir = mkdtempSync(join(tmpdir(), 'bsn-geth-'));
    const [http, p2p, auth] = [await freePort(), await freePort(), await freePort()];
    const node = NodeProcess.start({
      command: goBinaryPath(GETH),
      args: [
        '--dev',
        '--dev.period',
        String(this.period),
        '--datadir',
        join(dir, 'data'),
        '--http',
        '--http.addr',
        '127.0.0.1',
        '--http.port',
        String(http),
        '--http.api',
        'eth,net,web3,debug,txpool',
        '--port',
        String(p2p),
        '--authrpc.addr',
        '127.0.0.1',
        '--authrpc.port',
        String(auth),
        '--nodiscover',
        '--maxpeers',
        '0',
        '--ipcdisable',
        '--verbosity',
        '3',
      ],
      logFile: join(dir, 'geth.log'),
    });
    const rpcUrl = `http://127.0.0.1:${http}`;
    try {
      const version = await waitFor(() => jsonRpc<string>(rpcUrl, 'web3_clientVersion'), {
        what: 'geth --dev',
        timeoutMs: 60_000,
        process: node,
      });
      const faucetKey = await fundFreshKey(rpcUrl, node);
      const chainId = Number(await jsonRpc<string>(rpcUrl, 'eth_chainId'));
      return {
        name: this.name,
        kind: this.kind,
        node: version,
        logFile: node.logFile,
        network: ethereumNetwork({ name: this.name, rpcUrl, chainId, confirmations: this.confirmations, faucetKey }),
        stop: () => stopAndDropData(node, dir),
      };
    } catch (error) {
      await stopAndDropData(node, dir);
      throw error;
    }
  }
}

/**
 * A dev chain's data dir is over a gigabyte (preallocated database files) and worthless once
 * stopped; only the log is kept, for failed runs.
 */
async function stopAndDropData(node: NodeProcess, dir: string): Promise<void> {
  await node.stop();
  rmSync(join(dir, 'data'), { recursive: true, force: true });
}

/**
 * geth's developer account is unlocked but its key sits encrypted in the data dir; rather
 * than decrypt it, fund a fresh key from it and hand that out as the faucet.
 */
async function fundFreshKey(rpcUrl: string, node: NodeProcess): Promise<string> {
  const [developer] = await jsonRpc<string[]>(rpcUrl, 'eth_accounts');
  if (!developer) throw new Error('geth --dev reports no developer account');
  const faucet = Wallet.createRandom();
  const hash = await jsonRpc<string>(rpcUrl, 'eth_sendTransaction', [
    { from: developer, to: faucet.address, value: '0x' + (10n ** 24n).toString(16) },
  ]);
  await waitFor(() => jsonRpc<unknown>(rpcUrl, 'eth_getTransactionReceipt', [hash]).then((r) => r ?? undefined), {
    what: 'funding the faucet account on geth',
    timeoutMs: 30_000,
    process: node,
  });
  return faucet.privateKey;
}
