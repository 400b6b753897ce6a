import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the Antelope seam', () => {
  it('is the only place that imports eosjs (so @wharfkit/antelope replaces it in one folder)', () => {
    const outside = files(src)
      .filter((f) => !relative(src, f).startsWith('antelope/'))
      .filter((f) => /from ['"]eosjs(\/[^'"]*)?['"]/.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => relative(src, f))).toEqual([]);
    // The check itself sees imports: the seam does import eosjs.
    expect(files(join(src, 'antelope')).some((f) => /from 'eosjs'/.test(readFileSync(f, 'utf8')))).toBe(true);
  });
});
