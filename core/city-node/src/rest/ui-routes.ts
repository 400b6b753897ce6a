/**
 * The operator and portal pages at `/ui/`, served from the REST port. The pages are static
 * files (built by @bsn/console); everything they show comes from the same signed `/v1` API
 * every client uses, so serving them grants nothing. Only the files found at start are served
 * (no path from a request ever reaches the file system), with a content security policy that
 * lets a page load nothing but this node's own scripts and talk to nothing but this node.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@bsn/contract';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export const UI_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

/** The built pages of @bsn/console, found by package name at run time (the node does not import it). */
export function defaultUiDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@bsn/console/package.json')), 'dist-ui');
  } catch {
    return undefined;
  }
}

function filesUnder(dir: string): Map<string, { bytes: Buffer; type: string }> {
  const files = new Map<string, { bytes: Buffer; type: string }>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (TYPES[extname(name)])
        files.set(relative(dir, full).split(sep).join('/'), { bytes: readFileSync(full), type: TYPES[extname(name)]! });
    }
  };
  walk(dir);
  return files;
}

export async function registerUi(app: FastifyInstance, dir: string | undefined, log: Logger): Promise<void> {
  const folder = dir ?? defaultUiDir();
  const files = folder && existsSync(join(folder, 'index.html')) ? filesUnder(folder) : new Map<string, { bytes: Buffer; type: string }>();
  if (files.size === 0)
    log.warn(`the pages at /ui/ are not built (${folder ?? '@bsn/console is not installed'}): npm run build builds them`);
  app.get('/ui', async (_req, reply) => reply.code(308).header('location', '/ui/').send());
  app.get('/ui/*', async (req, reply) => {
    const path = (req.params as Record<string, string>)['*'] || 'index.html';
    const file = files.get(path);
    if (!file) {
      const why = files.size === 0 ? 'the pages are not built on this node (npm run build)' : `no page file ${path}`;
      return reply.code(404).send({ error: { code: 'NOT_FOUND', reason: 'not-found', message: why } });
    }
    return reply.headers(UI_HEADERS).type(file.type).send(file.bytes);
  });
}
