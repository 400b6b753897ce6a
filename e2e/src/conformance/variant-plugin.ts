import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a seeded-fault variant of the adapter in `adapterDir` into `dir`, a plugin folder: its
 * manifest (digest list and config schema dropped: a variant is never certified), `index.js`
 * (`entry`) and `devnets.js`, which re-exports the devnets of `dist` (a file URL of the built
 * adapter or of a patched copy) so the variant runs on the adapter's own chains and readers.
 */
export function writeVariantPlugin(adapterDir: string, dir: string, fault: string, entry: string, dist: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(adapterDir, 'bsn-plugin.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.files;
  delete manifest.configSchema;
  writeFileSync(join(dir, 'bsn-plugin.json'), JSON.stringify({ ...manifest, entry: 'index.js', devnets: 'devnets.js' }, null, 2));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `fault-${fault}`, private: true, type: 'module' }));
  writeFileSync(join(dir, 'index.js'), entry);
  writeFileSync(join(dir, 'devnets.js'), `export { default } from '${dist}/devnets/index.js';\n`);
  return dir;
}
