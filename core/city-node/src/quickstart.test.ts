import { mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { computePluginDigest, PluginHost, parseTrustedCertifiers } from '@bsn/plugin-host';
import { FIXTURE_SUITE, makePluginFolder, makeReport } from '@bsn/plugin-host/testing';
import { prepareQuickstart } from './quickstart.js';

describe('npm start quickstart preparation', () => {
  test('creates keys under .bsn, certifies a bundled adapter once through the kit, re-certifies after a change', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bsn-quick-'));
    await mkdir(join(root, 'adapters'));
    const { folder } = await makePluginFolder({ name: '@bsn/adapter-quick', devnet: { local: 'anvil', kind: 'process' } });
    await rename(folder, join(root, 'adapters', 'quick'));
    const { folder: memoryOnly } = await makePluginFolder({ name: '@bsn/adapter-sketch', devnet: { local: 'memory', kind: 'memory' } });
    await rename(memoryOnly, join(root, 'adapters', 'sketch'));
    const { folder: noDevnets } = await makePluginFolder({ name: '@bsn/adapter-bare' });
    await rename(noDevnets, join(root, 'adapters', 'bare'));
    const runs: string[][] = [];
    const kit = {
      async runConformanceCli(args: string[]) {
        runs.push(args);
        const adapter = args[args.indexOf('--adapter') + 1]!;
        const out = args[args.indexOf('--out') + 1]!;
        const digest = await computePluginDigest(adapter);
        await mkdir(out, { recursive: true });
        await writeFile(
          join(out, 'conformance-report.json'),
          JSON.stringify(makeReport({ name: '@bsn/adapter-quick', version: '1.0.0', framework: 'ethereum', digest: digest.digest })),
        );
        return 0;
      },
      suiteCatalog: async () => FIXTURE_SUITE,
    };
    const lines: string[] = [];
    const first = await prepareQuickstart({ root, env: {}, progress: (l) => lines.push(l), kit, restPort: 0, grpcPort: 0 });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.slice(0, 5)).toEqual(['run', '--adapter', join(root, 'adapters', 'quick'), '--target', 'anvil']);
    expect(lines.some((l) => l.includes('running the conformance suite on anvil'))).toBe(true);
    // Plugins that contribute no chain are not served, each saying why.
    expect(lines).toContain('adapter @bsn/adapter-sketch: its local devnet memory is a memory target, not a chain; not served');
    expect(lines).toContain('adapter @bsn/adapter-bare: contributes no devnet (its manifest names no `devnets` module); not served');
    for (const f of [
      'node-passphrase',
      'certifier.json',
      'certifier.pub.json',
      'demo-user.json',
      'operator-user.json',
      'node.yaml',
      'certificates/quick.json',
    ])
      expect(existsSync(join(root, '.bsn', f)), f).toBe(true);
    expect(first.config.plugins).toEqual([
      {
        source: join(root, 'adapters', 'quick'),
        certificate: join(root, '.bsn', 'certificates', 'quick.json'),
        // The suite's report beside it: the operator page renders it.
        report: join(root, '.bsn', 'conformance', 'quick', 'conformance-report.json'),
        networks: [{ name: 'local-anvil', devnet: 'anvil' }],
      },
    ]);
    expect(first.config.portals[0]!.users[0]).toMatchObject({ code: 'demo', role: 'admin', keyMode: 'hosted' });
    // The operator, in a portal of its own, signs in to the operator page with .bsn/operator-user.json.
    const operatorKey = JSON.parse(await readFile(first.operatorKeyFile, 'utf8')) as { user: string; publicKey: string };
    expect(first.config.portals[1]).toMatchObject({
      code: 'operators',
      users: [{ code: 'operator', role: 'operator', publicKey: operatorKey.publicKey }],
    });
    const trust = parseTrustedCertifiers(JSON.parse(await readFile(join(root, '.bsn', 'certifier.pub.json'), 'utf8')));
    const verified = await new PluginHost({ trustedCertifiers: trust, logger: { debug() {}, info() {}, warn() {}, error() {} } }).verify(
      join(root, 'adapters', 'quick'),
      { certificate: join(root, '.bsn', 'certificates', 'quick.json') },
    );
    expect([verified.accepted, verified.certified]).toEqual([true, true]);

    // Second start: still valid, no suite run; same passphrase and keys.
    const second = await prepareQuickstart({ root, env: {}, progress: () => {}, kit });
    expect(runs).toHaveLength(1);
    expect(second.passphrase).toBe(first.passphrase);
    expect(second.demo).toEqual(first.demo);
    expect(second.config.portals[1]!.users[0]!.publicKey).toBe(operatorKey.publicKey);

    // A changed adapter no longer matches its certificate: certified again.
    await writeFile(join(root, 'adapters', 'quick', 'lib', 'util.js'), 'export const greeting = "changed";\n');
    const notes: string[] = [];
    await prepareQuickstart({ root, env: {}, progress: (l) => notes.push(l), kit });
    expect(runs).toHaveLength(2);
    expect(notes.some((l) => l.includes('certificate no longer valid (digest-mismatch)'))).toBe(true);
    // Only full certificates here: the node keeps refusing provisional ones.
    expect(first.config.trust.requireFull).toBe(true);
  });

  test('an adapter certifiable only on an emulator: a provisional certificate, kept across starts, and a node that loads it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bsn-quick-emu-'));
    await mkdir(join(root, 'adapters'));
    const { folder } = await makePluginFolder({ name: '@bsn/adapter-emu', devnet: { local: 'emu', kind: 'emulator' } });
    await rename(folder, join(root, 'adapters', 'emu'));
    let runs = 0;
    const kit = {
      async runConformanceCli(args: string[]) {
        runs++;
        const adapter = args[args.indexOf('--adapter') + 1]!;
        const out = args[args.indexOf('--out') + 1]!;
        const digest = await computePluginDigest(adapter);
        await mkdir(out, { recursive: true });
        const report = makeReport(
          { name: '@bsn/adapter-emu', version: '1.0.0', framework: 'ethereum', digest: digest.digest },
          { kind: 'emulator' },
        );
        await writeFile(join(out, 'conformance-report.json'), JSON.stringify(report));
        return 0;
      },
      suiteCatalog: async () => FIXTURE_SUITE,
    };
    const lines: string[] = [];
    const first = await prepareQuickstart({ root, env: {}, progress: (l) => lines.push(l), kit, restPort: 0, grpcPort: 0 });
    expect(runs).toBe(1);
    expect(
      lines.filter((l) => l.startsWith('adapter @bsn/adapter-emu: certified by the local certifier (provisional, until ')),
    ).toHaveLength(1);
    expect(lines).toContain(
      'trust.requireFull: false — @bsn/adapter-emu holds a provisional certificate (earned on an emulator); the node loads it with a warning',
    );
    expect(first.config.trust.requireFull).toBe(false);
    expect(await readFile(join(root, '.bsn', 'node.yaml'), 'utf8')).toMatch(/requireFull: false/);

    // Second start: the provisional certificate is still valid; no second suite run.
    const notes: string[] = [];
    const second = await prepareQuickstart({ root, env: {}, progress: (l) => notes.push(l), kit });
    expect(runs).toBe(1);
    expect(notes).toContain('adapter @bsn/adapter-emu@1.0.0: certified provisionally (.bsn/certificates/emu.json)');
    expect(second.config.trust.requireFull).toBe(false);
  });

  test('only: the named bundled adapters are prepared, the others untouched, and no node.yaml is written (bsn interchain demo)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bsn-quick-only-'));
    await mkdir(join(root, 'adapters'));
    for (const [name, local] of [
      ['one', 'geth'],
      ['two', 'anvil'],
    ] as const) {
      const { folder } = await makePluginFolder({ name: `@bsn/adapter-${name}`, devnet: { local, kind: 'process' } });
      await rename(folder, join(root, 'adapters', name));
    }
    const runs: string[] = [];
    const kit = {
      async runConformanceCli(args: string[]) {
        const adapter = args[args.indexOf('--adapter') + 1]!;
        runs.push(adapter);
        const out = args[args.indexOf('--out') + 1]!;
        const digest = await computePluginDigest(adapter);
        await mkdir(out, { recursive: true });
        const name = adapter.endsWith('one') ? '@bsn/adapter-one' : '@bsn/adapter-two';
        await writeFile(
          join(out, 'conformance-report.json'),
          JSON.stringify(makeReport({ name, version: '1.0.0', framework: 'ethereum', digest: digest.digest })),
        );
        return 0;
      },
      suiteCatalog: async () => FIXTURE_SUITE,
    };
    const prepared = await prepareQuickstart({ root, env: {}, progress: () => {}, kit, only: ['two'] });
    expect(runs).toEqual([join(root, 'adapters', 'two')]);
    expect(prepared.config.plugins.map((p) => p.source)).toEqual([join(root, 'adapters', 'two')]);
    expect(existsSync(join(root, '.bsn', 'certificates', 'two.json'))).toBe(true);
    expect(existsSync(join(root, '.bsn', 'certificates', 'one.json'))).toBe(false);
    expect(existsSync(join(root, '.bsn', 'node.yaml'))).toBe(false);
    // npm start afterwards prepares the rest and reuses the certificate already earned.
    await prepareQuickstart({ root, env: {}, progress: () => {}, kit });
    expect(runs).toEqual([join(root, 'adapters', 'two'), join(root, 'adapters', 'one')]);
    expect(existsSync(join(root, '.bsn', 'node.yaml'))).toBe(true);
  });
});
