/**
 * The operator page on real chains, in a real headless Chromium: a city node serving the two
 * bundled networks the quickstart starts first — Ethereum on anvil and Hyperledger Fabric on
 * its devnet, each a certified copy of the bundled adapter with the conformance report its
 * certificate names — plus a copy certified on an emulator only (loaded, provisionally) and a
 * tampered copy the node refuses. The operator sees both networks healthy with their head
 * blocks, the demo apps, each certificate's level (full, provisional and why), certifier and
 * expiry, the rendered conformance report, and the refused plugin's reason. Screenshot:
 * .cache/screenshots/operator-networks.png (the README's is its top).
 */
import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BsnClient } from '@bsn/client';
import { CityNode, resolveNodeConfig } from '@bsn/city-node';
import { newKey, silentLogger } from '@bsn/city-node/testing';
import { loadDevnetProvider } from '@bsn/plugin-host';
import { ROOT, certifiedCopy, e2eSkipReason } from '../__fixtures__/ethereum-e2e.js';
import { axe, launch, screenshot, signInWithKeyFile, skipReason as noBrowser } from './__fixtures__/browser.js';

const BUNDLED = [
  { name: 'ethereum', network: 'local-anvil', devnet: 'anvil' },
  { name: 'fabric', network: 'local-fabric', devnet: 'fabric' },
];

async function whyNot(): Promise<string | undefined> {
  if (noBrowser) return noBrowser;
  const e2e = await e2eSkipReason();
  if (e2e) return e2e;
  for (const b of BUNDLED) {
    const folder = join(ROOT, 'adapters', b.name);
    const provider = await loadDevnetProvider(folder).catch(() => undefined);
    const make = provider?.local ? provider.devnets[provider.local] : undefined;
    if (!make) return `adapters/${b.name} contributes no local devnet (is it built?)`;
    const available = await make().available();
    if (!available.ok) return `the ${b.name} devnet is unavailable: ${available.reason}`;
  }
  return undefined;
}

const skip = await whyNot();
if (skip) console.warn(`the operator page on the bundled networks is skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the operator page on the bundled networks, in Chromium', () => {
  const copies: Array<Awaited<ReturnType<typeof certifiedCopy>>> = [];
  let node: CityNode;
  let browser: Browser;
  let keys: string;
  const operator = newKey('secp256r1');
  const demo = newKey('secp256r1');

  beforeAll(async () => {
    for (const b of BUNDLED) copies.push(await certifiedCopy(join(ROOT, 'adapters', b.name)));
    // A build certified on an emulator only: a provisional certificate, which this node accepts (requireFull: false).
    const provisional = await certifiedCopy(join(ROOT, 'adapters', 'ethereum'), { kind: 'emulator' });
    copies.push(provisional);
    // The tampered build: one shipped file changed after certification (its certificate names the old digest).
    const tampered = join(copies[0]!.dir, 'tampered');
    await cp(copies[0]!.plugin, tampered, { recursive: true });
    await appendFile(join(tampered, 'dist', 'index.js'), '\n// changed after certification\n');
    const config = resolveNodeConfig(
      {
        node: { name: 'ui-city-node', dataDir: join(copies[0]!.dir, 'node') },
        listen: { restPort: 0, grpc: false },
        keys: { scryptN: 1024 },
        trust: { certifiers: copies.map((c) => c.trustFile), requireFull: false },
        plugins: [
          ...BUNDLED.map((b, i) => ({
            source: copies[i]!.plugin,
            certificate: copies[i]!.certificate,
            report: copies[i]!.report,
            networks: [{ name: b.network, devnet: b.devnet }],
          })),
          { source: tampered, certificate: copies[0]!.certificate, networks: [{ name: 'tampered-anvil', devnet: 'anvil' }] },
          { source: provisional.plugin, certificate: provisional.certificate, networks: [{ name: 'emulated-anvil', devnet: 'anvil' }] },
        ],
        portals: [
          {
            code: 'ops',
            name: 'Operators',
            users: [{ code: 'olga', algorithm: 'secp256r1', publicKey: operator.publicKey, role: 'operator' }],
          },
          {
            code: 'demo',
            name: 'Demo portal',
            users: [{ code: 'demo', algorithm: 'secp256r1', publicKey: demo.publicKey, role: 'admin' }],
          },
        ],
      },
      copies[0]!.dir,
    );
    node = await CityNode.start({ config, passphrase: 'ui', logger: silentLogger });
    // The quickstart's demo apps: one per network, created by the demo user.
    const client = new BsnClient({ baseUrl: node.restUrl, user: 'demo', algorithm: 'secp256r1', privateKey: demo.privateKey });
    try {
      for (const b of BUNDLED) await client.createApp({ code: `demo-${b.name}`, network: b.network });
      await client.put('demo-ethereum', 'greeting', 'hello');
    } finally {
      client.close();
    }
    keys = await mkdtemp(join(tmpdir(), 'bsn-ui-keys-'));
    await writeFile(
      join(keys, 'olga.json'),
      JSON.stringify({
        user: 'olga',
        algorithm: 'secp256r1',
        privateKey: Buffer.from(operator.privateKey).toString('hex'),
        publicKey: operator.publicKey,
      }),
    );
    browser = await launch();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    for (const c of copies) await rm(c.dir, { recursive: true, force: true });
    if (keys) await rm(keys, { recursive: true, force: true });
  }, 120_000);

  test('both networks healthy with their head blocks, the demo apps, the certificates and their reports, the refused build and why', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await signInWithKeyFile(page, `${node.restUrl}/ui/?poll=500#/operator`, join(keys, 'olga.json'));
      for (const b of BUNDLED) {
        const row = page.locator(`tr[data-network="${b.network}"]`);
        await row.waitFor();
        await expect.poll(() => row.locator('.badge').textContent(), { timeout: 20_000 }).toBe('healthy');
        expect(Number(await row.locator('td').nth(3).textContent())).toBeGreaterThan(0);
        expect(await page.locator(`tr[data-app="demo:demo-${b.name}"]`).count()).toBe(1);
        // (the tampered Ethereum build has a row of its own, refused: see below)
        const plugin = page.locator(`tr[data-plugin^="@bsn/adapter-${b.name}@"]:has(.badge.ok)`);
        expect(await plugin.locator('.badge').textContent()).toBe('full');
        expect(await plugin.locator('td').nth(3).textContent()).toBe('E2E certifier');
        expect(await plugin.locator('td').nth(4).textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
      }
      // The write on Ethereum is counted on its network's row (transactions column).
      await expect.poll(() => page.locator('tr[data-network="local-anvil"] td').nth(5).textContent(), { timeout: 10_000 }).toBe('1');

      // Live: writes while the page is open move both networks' charts (polled every 500 ms here).
      const client = new BsnClient({ baseUrl: node.restUrl, user: 'demo', algorithm: 'secp256r1', privateKey: demo.privateKey });
      try {
        for (let i = 0; i < 3; i++) {
          await client.put('demo-ethereum', `k${i}`, `value ${i}`);
          await client.put('demo-fabric', `k${i}`, `value ${i}`);
          await new Promise((r) => setTimeout(r, 700));
        }
      } finally {
        client.close();
      }
      const chartOf = (series: string) => page.locator(`figure[data-series="${series}"] svg.chart`);
      await expect.poll(() => chartOf('net:local-anvil').getAttribute('data-last-txs'), { timeout: 10_000 }).toBe('4');
      await expect.poll(() => chartOf('net:local-fabric').getAttribute('data-last-txs'), { timeout: 10_000 }).toBe('3');
      await expect.poll(() => chartOf('app:demo:demo-fabric').getAttribute('data-last-txs'), { timeout: 10_000 }).toBe('3');
      expect(Number(await chartOf('net:local-anvil').getAttribute('data-samples'))).toBeGreaterThan(3);

      // The conformance report each certificate names, rendered case by case.
      const report = page.locator('details[data-report="@bsn/adapter-ethereum"]');
      await report.locator('summary').click();
      expect(await report.locator('summary').textContent()).toContain('the certified run');
      expect(await report.locator('tr[data-case="GW-003"] td').nth(3).textContent()).toBe('passed');
      expect(await report.locator('tr[data-case="KV-010"] td').nth(3).textContent()).toBe('failed');

      // The build certified on an emulator only: loaded, provisionally, and the page says why.
      const emulated = page.locator('tr[data-plugin^="@bsn/adapter-ethereum@"]:has(.badge.warn)');
      expect(await emulated.locator('.badge').textContent()).toBe('provisional');
      expect(await emulated.locator('.why').textContent()).toBe('earned on an emulator');
      await expect.poll(() => page.locator('tr[data-network="emulated-anvil"] .badge').textContent(), { timeout: 20_000 }).toBe('healthy');

      // The tampered build: refused, and why.
      const refused = page.locator('tr:has(.badge.bad)', { hasText: 'digest-mismatch' });
      expect(await refused.count()).toBe(1);
      expect(await refused.locator('.why').textContent()).toMatch(/^digest-mismatch: /);
      expect(
        node.networks
          .all()
          .map((n) => n.name)
          .sort(),
      ).toEqual([...BUNDLED.map((b) => b.network), 'emulated-anvil'].sort());

      await screenshot(page, 'operator-networks');
      // The README's picture (docs/images/operator-page.png is a copy): plugins, report, networks, charts.
      await screenshot(page, 'operator-networks-top', 1250);
      const worst = (await axe(page)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
      expect(worst, JSON.stringify(worst, null, 1)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
