/**
 * A real headless Chromium for the pages' tests: Debian's `chromium` (installed by `.ci/run`,
 * or BSN_CHROMIUM naming another build), driven by playwright-core, which downloads nothing.
 * Where there is none, `skipReason` says why and the tests skip. Also: axe-core run in the page
 * (injected through the debugging protocol, which the pages' content security policy does not
 * cover), and screenshots under .cache/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = [process.env['BSN_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
export const chromiumPath = CANDIDATES.find((p) => existsSync(p));
export const skipReason = chromiumPath
  ? undefined
  : `no Chromium at ${CANDIDATES.join(' or ')} (.ci/run installs Debian's chromium package; or set BSN_CHROMIUM)`;

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const screenshotDir = join(repoRoot, '.cache', 'screenshots');

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** The whole page, or its top `height` pixels (what a README shows). */
export async function screenshot(page: Page, name: string, height?: number): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  const width = page.viewportSize()?.width ?? 1280;
  await page.screenshot({ path, fullPage: true, ...(height && { clip: { x: 0, y: 0, width, height } }) });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's WCAG 2.x A/AA checks on the page as it is now. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${axeSource};0`);
  return page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe.run;
    const result = await run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/** Signs in by importing a key file through the page's own file input, as a person would. */
export async function signInWithKeyFile(page: Page, url: string, keyFile: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Key file', { exact: true }).setInputFiles(keyFile);
  await page.getByText('Signed in as').waitFor();
}

/** The clipboard's text as the page sees it (the tests grant clipboard-read). */
export function clipboardText(page: Page): Promise<string> {
  return page.evaluate('navigator.clipboard.readText()') as Promise<string>;
}
