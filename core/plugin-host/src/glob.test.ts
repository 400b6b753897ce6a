import { describe, expect, it } from 'vitest';
import { compileFileGlobs, globToRegExp } from './glob.js';

describe('file globs', () => {
  const cases: Array<[string, string, boolean]> = [
    ['dist', 'dist/index.js', true],
    ['dist/', 'dist/a/b.js', true],
    ['./dist/*.js', 'dist/index.js', true],
    ['dist/*.js', 'dist/a/index.js', false],
    ['dist/**/*.js', 'dist/index.js', true],
    ['dist/**/*.js', 'dist/a/b/index.js', true],
    ['dist/**/*.js', 'dist/a/b/index.ts', false],
    ['**/*.json', 'schema.json', true],
    ['**/*.json', 'a/b/schema.json', true],
    ['*.{js,mjs}', 'index.mjs', true],
    ['*.{js,mjs}', 'index.cjs', false],
    ['?.js', 'a.js', true],
    ['?.js', 'ab.js', false],
    ['README.md', 'README.md', true],
    ['README.md', 'README.mdx', false],
    ['a.b', 'aXb', false],
    ['dist/**', 'dist/x/y', true],
    ['dist/**', 'distx/y', false],
  ];
  it.each(cases)('%s on %s → %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });

  it('excludes with a leading !', () => {
    const select = compileFileGlobs(['dist', '!**/*.map']);
    expect(select('dist/index.js')).toBe(true);
    expect(select('dist/index.js.map')).toBe(false);
    expect(select('src/index.ts')).toBe(false);
  });
});
