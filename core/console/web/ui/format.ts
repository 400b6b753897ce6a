/** How numbers, sizes and times read on the pages. */
export const count = (n: number): string => n.toLocaleString('en-US');
export const rate = (n: number): string => (n === 0 ? '0' : n < 0.01 ? n.toExponential(1) : n.toFixed(2));

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export const date = (iso: string | number | undefined): string =>
  iso === undefined ? '—' : new Date(iso).toISOString().slice(0, 16).replace('T', ' ');

/** A policy list as words: absent is any, empty is none. */
export const offered = (list: string[] | undefined, what: string): string =>
  list === undefined ? `any ${what}` : list.length === 0 ? `no ${what}` : list.join(', ');

/** "a, b" → ["a", "b"]; blank → undefined (any). */
export function listField(text: string): string[] | undefined {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return text.trim() === '' ? undefined : items;
}
