import { describe, expect, it } from 'vitest';
import provider from './index.js';
import { FabricContainerDevnet } from './fabric-container-devnet.js';
import { openContracts } from './gateway-probe.js';

describe('Fabric container devnet', () => {
  it('is contributed as fabric-container, a container target', () => {
    const devnet = provider.devnets['fabric-container']!();
    expect(devnet).toBeInstanceOf(FabricContainerDevnet);
    expect(devnet.kind).toBe('container');
    expect(devnet.framework).toBe('fabric');
  });

  it('boots the two-org Raft network in containers and submits + evaluates through the Gateway, or a stated skip when no engine answers', async (ctx) => {
    const devnet = new FabricContainerDevnet();
    const availability = await devnet.available();
    if (!availability.ok) {
      console.warn(`skipped fabric-container: ${availability.reason}`);
      return ctx.skip(availability.reason);
    }
    const started = await devnet.start();
    console.info(`fabric-container devnet up (${started.node}); logs: ${started.logDir}`);
    const connections: Array<() => void> = [];
    try {
      const network = started.network;
      expect(started.kind).toBe('container');
      expect(started.node).toContain('2.5.9');
      expect(network.organizations.map((o) => o.mspId)).toEqual(['Org1MSP', 'Org2MSP']);
      expect(network.organizations.map((o) => o.peers[0]!.hostOverride)).toEqual(['peer0.org1.example.com', 'peer0.org2.example.com']);
      expect(network.orderer.hostOverride).toBe('orderer.example.com');
      expect(started.processes().map((p) => p.name)).toEqual(['chaincode devnet-kv']);

      const { contracts, close } = openContracts(network);
      connections.push(close);
      const [contract1, contract2] = [contracts[0]!, contracts[1]!];

      const key = `key-${Date.now()}`;
      const submitted = await contract1.submitAsync('put', { arguments: [key, 'hello fabric in containers'] });
      expect((await submitted.getStatus()).successful).toBe(true);
      expect(Buffer.from(await contract1.evaluateTransaction('get', key)).toString()).toBe('hello fabric in containers');
      await expect
        .poll(async () => Buffer.from(await contract2.evaluateTransaction('get', key)).toString(), { timeout: 10_000 })
        .toBe('hello fabric in containers');
    } finally {
      for (const close of connections) close();
      await started.stop();
      await started.stop(); // stopping twice is harmless
    }
  }, 600_000);
});
