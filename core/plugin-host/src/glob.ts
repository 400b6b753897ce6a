/**
 * The small glob language of a manifest's `files` list, matched against relative paths
 * with `/` separators:
 *
 * - `*` any run of characters within one path segment (dotfiles included), `?` one such character;
 * - `**` as a whole segment: any number of segments (zero included);
 * - `{a,b}` alternatives (not nested);
 * - a pattern also covers everything under a directory it names (`dist` = `dist/**`);
 * - a leading `./` and a trailing `/` are ignored; a leading `!` makes it an exclusion.
 *
 * A path is selected when it matches some inclusion and no exclusion (order does not matter).
 */

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

function segmentToRegExp(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') {
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '{') {
      const close = segment.indexOf('}', i);
      if (close < 0) {
        out += escapeRegExp(c);
        continue;
      }
      const alternatives = segment.slice(i + 1, close).split(',');
      out += `(?:${alternatives.map(segmentToRegExp).join('|')})`;
      i = close;
    } else {
      out += escapeRegExp(c);
    }
  }
  return out;
}

/** Compiles one pattern (without its `!`) to a RegExp over whole relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.trim();
  while (p.startsWith('./')) p = p.slice(2);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p.startsWith('/')) p = p.slice(1);
  const segments = p.split('/');
  let body = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      // `a/**/b`: zero or more whole segments; `a/**`: everything below a.
      body += last ? '(?:[^/]+(?:/[^/]+)*)?' : '(?:[^/]+/)*';
    } else {
      body += segmentToRegExp(segment) + (last ? '' : '/');
    }
  });
  // A pattern naming a directory covers everything under it.
  return new RegExp(`^${body}(?:/.*)?$`, 's');
}

/** A predicate selecting relative paths by a list of patterns (see the module comment). */
export function compileFileGlobs(patterns: readonly string[]): (path: string) => boolean {
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const raw of patterns) {
    if (raw.startsWith('!')) exclude.push(globToRegExp(raw.slice(1)));
    else include.push(globToRegExp(raw));
  }
  return (path) => include.some((re) => re.test(path)) && !exclude.some((re) => re.test(path));
}
