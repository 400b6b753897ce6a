import type { Availability, Devnet, StartedDevnet } from '@bsn/devnets';
import { containerEngine, jsonRpc, loadTestcontainers, waitFor } from '@bsn/devnets';
import { ethereumNetwork } from './ethereum-network.js';
import { Wallet } from 'ethers';

/** The container image and command line of each chain we can run in a container. */
const IMAGES = {
  anvil: {
    image: 'ghcr.io/foundry-rs/foundry:v1.7.1',
    entrypoint: ['anvil'],
    command: ['--host', '0.0.0.0', '--port', '8545', '--chain-id', '31337'],
  },
  geth: {
    image: 'ethereum/client-go:v1.17.10',
    entrypoint: ['geth'],
    command: ['--dev', '--http', '--http.addr', '0.0.0.0', '--http.port', '8545', '--http.api', 'eth,net,web3', '--http.vhosts', '*'],
  },
} as const;

/** The same Ethereum chains through testcontainers, where a container engine is reachable. */
export class EthereumContainerDevnet implements Devnet {
  readonly framework = 'ethereum';
  readonly kind = 'container' as const;
  readonly name: string;

  constructor(private readonly chain: keyof typeof IMAGES) {
    this.name = `${chain}-container`;
  }

  available(): Promise<Availability> {
    return containerEngine();
  }

  async start(): Promise<StartedDevnet> {
    const { GenericContainer, Wait } = await loadTestcontainers();
    const spec = IMAGES[this.chain];
    const container = await new GenericContainer(spec.image)
      .withEntrypoint([...spec.entrypoint])
      .withCommand([...spec.command])
      .withExposedPorts(8545)
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    const rpcUrl = `http://${container.getHost()}:${container.getMappedPort(8545)}`;
    try {
      const version = await waitFor(() => jsonRpc<string>(rpcUrl, 'web3_clientVersion'), { what: this.name, timeoutMs: 60_000 });
      const chainId = Number(await jsonRpc<string>(rpcUrl, 'eth_chainId'));
      const [funded] = await jsonRpc<string[]>(rpcUrl, 'eth_accounts');
      if (!funded) throw new Error(`${this.name}: the node has no unlocked funded account`);
      const faucet = Wallet.createRandom();
      const hash = await jsonRpc<string>(rpcUrl, 'eth_sendTransaction', [
        { from: funded, to: faucet.address, value: '0x' + (10n ** 22n).toString(16) },
      ]);
      await waitFor(() => jsonRpc<unknown>(rpcUrl, 'eth_getTransactionReceipt', [hash]).then((r) => r ?? undefined), {
        what: `${this.name}: funding the faucet`,
        timeoutMs: 30_000,
      });
      return {
        name: this.name,
        kind: this.kind,
        node: version,
        network: ethereumNetwork({ name: this.name, rpcUrl, chainId, confirmations: 0, faucetKey: faucet.privateKey }),
        stop: async () => {
          await container.stop();
        },
      };
    } catch (error) {
      await container.stop();
      throw error;
    }
  }
}
