import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeySigner, type Availability, type Devnet, type StartedDevnet } from '@bsn/contract';
import { NodeProcess, freePort, jsonRpc, waitFor } from '@bsn/devnets';
import type { FiscoNetworkConfig } from '../config.js';
import { deployRegistry } from '../contracts/deploy-registry.js';
import { deployCustomApps } from '../custom-contract/deploy-custom-apps.js';
import { nodeSoftwareOf } from '../node/chain-reader.js';
import type { NodeIniConfig } from '../node/node-json.js';
import type { CryptoMode } from '../protocol/crypto-suite.js';
import { emulatorBuilt, emulatorMain } from './emulator-paths.js';

/**
 * A FISCO BCOS 3.x chain emulated (src/emulator): no FISCO node can be had on this machine, so
 * the target is this package's protocol-faithful emulator around the ethereumjs EVM, started
 * as its own process on a free 127.0.0.1 port. `kind: 'emulator'`: reports say so and a
 * certificate earned on it is provisional. On start it deploys the BSN registry with a fresh
 * key, as an operator would on a new group, and names it in the network config.
 */
export class FiscoEmulatorDevnet implements Devnet {
  readonly framework = 'fisco-bcos';
  readonly kind = 'emulator' as const;

  constructor(
    readonly name: string,
    private readonly mode: CryptoMode,
  ) {}

  async available(): Promise<Availability> {
    if (emulatorBuilt()) return { ok: true };
    return { ok: false, reason: `the FISCO BCOS emulator is not built (${emulatorMain()}): run npm run build` };
  }

  async start(): Promise<StartedDevnet> {
    const dir = mkdtempSync(join(tmpdir(), `bsn-${this.name}-`));
    const port = await freePort();
    const node = NodeProcess.start({
      command: process.execPath,
      args: [emulatorMain(), '--mode', this.mode, '--port', String(port)],
      logFile: join(dir, 'emulator.log'),
    });
    const rpcUrl = `http://127.0.0.1:${port}`;
    try {
      const info = await waitFor(() => jsonRpc<{ nodeList: Array<{ iniConfig: string }> }>(rpcUrl, 'getGroupInfo', ['group0']), {
        what: `the ${this.name} emulator`,
        timeoutMs: 30_000,
        process: node,
      });
      const ini = JSON.parse(info.nodeList[0]!.iniConfig) as NodeIniConfig;
      const algorithm = this.mode === 'sm' ? 'sm2' : 'secp256k1';
      const deployerKey = generatePrivateKey(algorithm);
      const deployer = privateKeySigner(algorithm, deployerKey);
      const { registry } = await deployRegistry({
        rpcUrl,
        crypto: this.mode,
        signer: deployer,
        chainId: ini.chainID,
        groupId: ini.groupID,
      });
      const customApps = await deployCustomApps({
        rpcUrl,
        crypto: this.mode,
        signer: deployer,
        registry,
        chainId: ini.chainID,
        groupId: ini.groupID,
      });
      const network: FiscoNetworkConfig = {
        framework: 'fisco-bcos',
        name: this.name,
        rpcUrl,
        crypto: this.mode,
        chainId: ini.chainID,
        groupId: ini.groupID,
        registry,
        customApps,
        operator: { privateKey: Buffer.from(deployerKey).toString('hex') },
      };
      return { name: this.name, kind: this.kind, node: nodeSoftwareOf(ini), logFile: node.logFile, network, stop: () => node.stop() };
    } catch (error) {
      await node.stop();
      throw error;
    }
  }
}
