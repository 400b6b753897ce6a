import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, stat, utimes, writeFile, symlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { computePluginDigest, memoryDigestCache, pluginFiles } from './digest.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bsn-digest-'));
  dirs.push(dir);
  return dir;
}
async function put(root: string, path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const FILES: Array<[string, string]> = [
  ['bsn-plugin.json', '{"name":"x"}'],
  ['index.js', 'export default {}'],
  ['lib/a.js', 'a'],
  ['lib/b/c.js', 'c'],
  ['Z.txt', 'upper'],
  ['ä.txt', 'non-ascii'],
];

describe('plugin content digest', () => {
  it('is the documented v2 construction', async () => {
    const root = await tempDir();
    await put(root, 'b.js', 'bb');
    await put(root, 'a/x.js', 'a');
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    const expected = createHash('sha256')
      .update(`bsn-plugin-digest:v2\na/x.js\u00001\u0000${h('a')}\nb.js\u00002\u0000${h('bb')}\n`)
      .digest('hex');
    expect(await computePluginDigest(root)).toEqual({ digest: `sha256:${expected}`, files: 2, paths: ['a/x.js', 'b.js'], dependencies: 0 });
  });

  it('is deterministic whatever the order files were created in', async () => {
    const first = await tempDir();
    const second = await tempDir();
    for (const [p, c] of FILES) await put(first, p, c);
    for (const [p, c] of [...FILES].reverse()) await put(second, p, c);
    const a = await computePluginDigest(first);
    const b = await computePluginDigest(second);
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toEqual(a);
    // byte order: uppercase before lowercase, non-ASCII last
    expect(a.paths).toEqual(['Z.txt', 'bsn-plugin.json', 'index.js', 'lib/a.js', 'lib/b/c.js', 'ä.txt']);
  });

  it('changes when one byte changes, a file is added or a file is renamed', async () => {
    const root = await tempDir();
    for (const [p, c] of FILES) await put(root, p, c);
    const base = (await computePluginDigest(root)).digest;
    await put(root, 'lib/a.js', 'b');
    const changed = (await computePluginDigest(root)).digest;
    expect(changed).not.toBe(base);
    await put(root, 'lib/a.js', 'a');
    expect((await computePluginDigest(root)).digest).toBe(base);
    await put(root, 'extra.js', '');
    expect((await computePluginDigest(root)).digest).not.toBe(base);
  });

  it('ignores node_modules, .git, the certificate, test files and symlinks', async () => {
    const root = await tempDir();
    for (const [p, c] of FILES) await put(root, p, c);
    const base = await computePluginDigest(root);
    await put(root, 'node_modules/dep/index.js', 'dep');
    await put(root, 'lib/node_modules/dep/index.js', 'dep');
    await put(root, '.git/HEAD', 'ref');
    await put(root, 'bsn-certificate.json', '{}');
    await put(root, 'lib/a.test.js', 'test');
    await symlink(join(root, 'index.js'), join(root, 'link.js'));
    expect(await computePluginDigest(root)).toEqual(base);
    // …but a certificate-named file below the root is content like any other.
    await put(root, 'lib/bsn-certificate.json', '{}');
    expect((await computePluginDigest(root)).files).toBe(base.files + 1);
  });

  it('covers exactly the manifest globs plus bsn-plugin.json and package.json', async () => {
    const root = await tempDir();
    await put(root, 'bsn-plugin.json', '{}');
    await put(root, 'package.json', '{}');
    await put(root, 'dist/index.js', 'x');
    await put(root, 'dist/index.js.map', 'x');
    await put(root, 'dist/index.test.js', 'x');
    await put(root, 'src/index.ts', 'x');
    expect(await pluginFiles(root, ['dist', '!**/*.map'])).toEqual([
      'bsn-plugin.json',
      'dist/index.js',
      'dist/index.test.js',
      'package.json',
    ]);
    const withSrc = await computePluginDigest(root, ['dist', '!**/*.map']);
    await put(root, 'src/index.ts', 'changed');
    expect((await computePluginDigest(root, ['dist', '!**/*.map'])).digest).toBe(withSrc.digest);
  });

  it('covers the production dependency closure, not devDependencies', async () => {
    const root = await tempDir();
    await put(root, 'package.json', JSON.stringify({ name: 'p', dependencies: { a: '1' }, devDependencies: { dev: '1' } }));
    await put(root, 'index.js', 'x');
    await put(root, 'node_modules/a/package.json', JSON.stringify({ name: 'a', version: '1.0.0', dependencies: { b: '2' } }));
    await put(root, 'node_modules/a/index.js', 'a');
    // b is found the way Node finds it: up from a, in the plugin's node_modules.
    await put(root, 'node_modules/b/package.json', JSON.stringify({ name: 'b', version: '2.0.0', files: ['lib'] }));
    await put(root, 'node_modules/b/lib/b.js', 'b');
    await put(root, 'node_modules/b/README.md', 'not shipped');
    await put(root, 'node_modules/dev/package.json', JSON.stringify({ name: 'dev', version: '1.0.0' }));
    await put(root, 'node_modules/dev/index.js', 'dev');
    const base = await computePluginDigest(root);
    expect(base.dependencies).toBe(2);
    expect(base.files).toBe(2 + 2 + 2);

    await put(root, 'node_modules/b/lib/b.js', 'swapped');
    expect((await computePluginDigest(root)).digest).not.toBe(base.digest);
    await put(root, 'node_modules/b/lib/b.js', 'b');
    await put(root, 'node_modules/dev/index.js', 'changed');
    await put(root, 'node_modules/b/README.md', 'changed');
    expect((await computePluginDigest(root)).digest).toBe(base.digest);
    // Without dependencies the digest is the folder alone.
    expect((await computePluginDigest(root, undefined, { dependencies: false })).files).toBe(2);
  });

  it('refuses a plugin whose dependency is not installed', async () => {
    const root = await tempDir();
    await put(root, 'package.json', JSON.stringify({ name: 'p', dependencies: { gone: '1' }, optionalDependencies: { maybe: '1' } }));
    await expect(computePluginDigest(root)).rejects.toThrow(/depends on gone, which is not installed/);
  });

  it('with a cache, sees every rewrite of a file, even one that keeps its size and mtime', async () => {
    const root = await tempDir();
    for (const [p, c] of FILES) await put(root, p, c);
    const cache = memoryDigestCache();
    const base = await computePluginDigest(root, undefined, { cache });
    expect(await computePluginDigest(root, undefined, { cache })).toEqual(base);
    const file = join(root, 'lib/a.js');
    const { mtime } = await stat(file);
    await put(root, 'lib/a.js', 'b'); // same size
    await utimes(file, mtime, mtime); // same mtime: only the ctime tells
    const changed = await computePluginDigest(root, undefined, { cache });
    expect(changed.digest).not.toBe(base.digest);
    expect(changed.digest).toBe((await computePluginDigest(root)).digest);
  });
});
