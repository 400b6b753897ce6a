/**
 * An app that brings its own contract (#19), through the Ethereum adapter's generic gateway,
 * against ethers calling the same contract directly, on the same anvil, in the same run:
 *  - submit latency (p50, p99) of the sample token's `transfer` by ABI method name: adapter
 *    (argument typing by the ABI, the proxy's request-id record, finality, the receipt's
 *    events decoded) vs ethers (`transfer` on the app's proxy, wait for the receipt);
 *  - submit throughput with 16 transfers in flight from one key;
 *  - evaluate rate: `balanceOf` vs ethers' staticCall of it.
 * Goals from the issue: latency ratio ≤ 1.1, throughput ratio ≥ 0.9 (for the adapter layer).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, JsonRpcProvider, NonceManager, Wallet, hexlify } from 'ethers';
import { BsnIdentity, type Adapter, type EvmBytecodePackage } from '@bsn/contract';
import { AnvilDevnet } from '@bsn/adapter-ethereum/devnets';
import factory from '@bsn/adapter-ethereum';
import { emit, quantile, silent } from './report.js';
import { timed } from './timing.mjs';

const BENCH = 'custom-contract';

/** The kit's sample token, compiled with solc from npm as the adapter's tests do. */
function sampleToken(): EvmBytecodePackage {
  const file = join(import.meta.dirname, '..', 'adapters', 'ethereum', 'samples', 'token', 'SampleToken.sol');
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'SampleToken.sol': { content: readFileSync(file, 'utf8') } },
        settings: {
          evmVersion: 'cancun',
          optimizer: { enabled: true, runs: 200 },
          outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
        },
      }),
    ),
  ) as { contracts: Record<string, Record<string, { abi: EvmBytecodePackage['abi']; evm: { bytecode: { object: string } } }>> };
  const c = out.contracts['SampleToken.sol']!['SampleToken']!;
  return { format: 'evm-bytecode', abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

async function main(): Promise<void> {
  const devnet = await new AnvilDevnet().start();
  let adapter: Adapter | undefined;
  try {
    adapter = await factory.connect(devnet.network, { logger: silent, dataDir: mkdtempSync(join(tmpdir(), 'bsn-bench-')) });
    const identity = BsnIdentity.generate();
    const { signer } = identity.keyFor('ethereum', 'secp256k1');
    const account = await adapter.identity.provision(signer);
    // The baseline sends from its own member account: two nonce managers must not share one.
    const baselineKey = identity.keyFor('ethereum', 'secp256k1', 1);
    const baselineAccount = await adapter.identity.provision(baselineKey.signer);
    const pkg = sampleToken();
    const app = await adapter.lifecycle.create(
      {
        appId: `bench-token-${Date.now()}`,
        name: 'bench token',
        framework: 'ethereum',
        mode: 'consortium',
        placement: 'shared',
        contract: { kind: 'package', package: pkg, call: { method: 'initialize', args: [account.id, 'Bench'] } },
        members: [baselineAccount],
      },
      signer,
    );
    const address = app.location.address!;
    let n = 0;
    const submit = (method: string, args: string[]) => adapter!.gateway.submit({ app, method, args, requestId: `bench-${++n}` }, signer);
    await submit('mint', [account.id, '1000000000']);
    await submit('mint', [baselineAccount.id, '1000000000']);

    const provider = new JsonRpcProvider(String(devnet.network.rpcUrl), Number(devnet.network.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
    });
    provider.pollingInterval = 250;
    const wallet = new NonceManager(new Wallet(hexlify(baselineKey.privateKey), provider));
    const token = new Contract(address, pkg.abi as never, wallet);
    const direct = async () => {
      const tx = await token.getFunction('transfer')(account.id, 1n);
      // See ethereum.bench.ts: ethers' wait can miss a block on an automining chain.
      const receipt = await tx.wait(1, 60_000);
      if (receipt?.status !== 1) throw new Error('baseline transfer failed');
    };
    const viaAdapter = async () => {
      await submit('transfer', [baselineAccount.id, '1']);
    };
    for (let i = 0; i < 5; i++) {
      await direct();
      await viaAdapter();
    }

    const ROUNDS = 60;
    const lat = { adapter: [] as number[], direct: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      // ABBA: anvil slows as its chain grows, so neither side always goes first.
      const order = i % 2 === 0 ? (['adapter', 'direct'] as const) : (['direct', 'adapter'] as const);
      for (const side of order) {
        const t = performance.now();
        await (side === 'adapter' ? viaAdapter() : direct());
        lat[side].push(performance.now() - t);
      }
    }
    const p = (q: number) => ({ adapter: quantile(lat.adapter, q), direct: quantile(lat.direct, q) });
    for (const [q, name] of [
      [0.5, 'p50'],
      [0.99, 'p99'],
    ] as const) {
      const v = p(q);
      emit({
        bench: BENCH,
        metric: `custom-contract submit latency ${name} (transfer by ABI name), adapter`,
        value: v.adapter,
        unit: 'ms',
        ratio: v.adapter / v.direct,
        baseline: `ethers direct ${v.direct.toFixed(2)} ms`,
        ...(q === 0.5 && { goal: '<=' + (1.1 * v.direct).toFixed(2) }),
      });
    }

    const throughput = async (write: () => Promise<void>) => (await timed(160, 16, write)).rate;
    const adapterTps = await throughput(viaAdapter);
    const directTps = await throughput(direct);
    emit({
      bench: BENCH,
      metric: 'custom-contract submit throughput, 16 in flight, adapter',
      value: adapterTps,
      unit: 'tx/s',
      ratio: adapterTps / directTps,
      baseline: `ethers direct ${directTps.toFixed(1)} tx/s`,
      goal: '>=' + (0.9 * directTps).toFixed(1),
    });

    const reads = 300;
    let t = performance.now();
    for (let i = 0; i < reads; i++) await adapter.gateway.evaluate({ app, method: 'balanceOf', args: [account.id] });
    const adapterRate = reads / ((performance.now() - t) / 1000);
    t = performance.now();
    for (let i = 0; i < reads; i++) await token.getFunction('balanceOf').staticCall(account.id);
    const directRate = reads / ((performance.now() - t) / 1000);
    emit({
      bench: BENCH,
      metric: 'custom-contract evaluate (balanceOf) rate, adapter',
      value: adapterRate,
      unit: 'reads/s',
      ratio: adapterRate / directRate,
      baseline: `ethers direct ${directRate.toFixed(0)} reads/s`,
    });
    provider.destroy();
  } finally {
    await adapter?.close();
    await devnet.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
