/**
 * The city node gateway against the same Fabric adapter called in-process, on one Fabric
 * v2.5.9 devnet (two orgs, Raft orderer, batch timeout 250 ms): writes here are bound by the
 * chain (endorsement by both orgs, ordering into blocks), as the write goal assumes;
 * on anvil (gateway.bench.ts) they are bound by CPU. Same method as gateway.bench.ts
 * (gateway-compare.ts): alternating rounds, median ratios, throughput per load level and
 * peak vs peak. Both sides sign with hosted BSN keys (OpenSSL message signing).
 */
import { BsnIdentity } from '@bsn/contract';
import factory from '@bsn/adapter-fabric';
import type { Adapter } from '@bsn/contract';
import { presetDevnet } from '@bsn/adapter-fabric/devnets';
import { compareGatewayToInProcess, startBenchNode, type GatewayBenchNode } from './gateway-compare.js';
import { silent } from './report.js';

const spec = presetDevnet();
const available = await spec.available();
if (!available.ok) {
  process.stderr.write(`gateway-fabric bench skipped: ${available.reason}\n`);
} else {
  const devnet = await spec.start();
  let adapter: Adapter | undefined;
  let bn: GatewayBenchNode | undefined;
  try {
    adapter = await factory.connect(devnet.network, { logger: silent, dataDir: devnet.dir });
    bn = await startBenchNode({
      adapter,
      network: 'fabric',
      framework: 'fabric',
      plugin: '@bsn/adapter-fabric',
      accountAlgorithm: 'secp256r1',
      dataDir: devnet.dir,
    });
    const key = BsnIdentity.generate().keyFor('fabric', 'secp256r1');
    const account = await adapter.identity.provision(key.signer);
    await adapter.lifecycle.create(
      {
        appId: 'bench-direct',
        name: 'direct',
        framework: 'fabric',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'preset-kv' },
        members: [account],
      },
      key.signer,
    );
    await compareGatewayToInProcess({
      bench: 'gateway-fabric',
      bn,
      adapter,
      signer: key.signer,
      directApp: 'bench-direct',
      writes: { n: 160, levels: [16, 48] },
      reads: { n: 2000, levels: [8, 32] },
    });
  } finally {
    await bn?.stop();
    await adapter?.close();
    await devnet.stop();
  }
}
