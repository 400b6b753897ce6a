/**
 * The operator and portal pages in a real headless Chromium, against a city node on an
 * in-memory chain: signing in with a key file, a portal user creating an app and writing to
 * it with the snippet the page copied, the count and chart moving; jurisdiction and the
 * operator role refused through the page as through the API; a refused plugin's reason on
 * the operator page; axe-core on every page; screenshots under .cache/screenshots/.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toHex } from '@bsn/contract';
import { startTestNode } from '@bsn/city-node/testing';
import { makePluginFolder } from '@bsn/plugin-host/testing';
import { axe, clipboardText, launch, repoRoot, screenshot, signInWithKeyFile, skipReason } from './__fixtures__/browser.js';

if (skipReason) console.warn(`the pages' browser tests are skipped: ${skipReason}`);

const run = promisify(execFile);
let t: Awaited<ReturnType<typeof startTestNode>>;
let browser: Browser;
let keys: string | undefined;
let pluginDir: string | undefined;

async function keyFileOf(user: string): Promise<string> {
  const u = t.users[user]!;
  const file = join(keys!, `${user}-key.json`);
  await writeFile(file, JSON.stringify({ user, algorithm: u.algorithm, privateKey: toHex(u.privateKey), publicKey: u.publicKey }));
  return file;
}

async function signedIn(user: string, hash = '#/portal'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.node.restUrl });
  const page = await context.newPage();
  await signInWithKeyFile(page, `${t.node.restUrl}/ui/?poll=300${hash}`, await keyFileOf(user));
  return { context, page };
}

/** No critical violation; serious ones are reported, not tolerated silently. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await axe(page);
  const worst = violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  expect(worst, `${name}: ${JSON.stringify(worst, null, 1)}`).toEqual([]);
}

beforeAll(async () => {
  if (skipReason) return;
  keys = await mkdtemp(join(tmpdir(), 'bsn-ui-keys-'));
  const refused = await makePluginFolder({ name: '@acme/adapter-unsigned' });
  pluginDir = refused.folder;
  t = await startTestNode({
    users: [
      ['olga', 'ops', 'secp256r1', 'hosted', 'operator'],
      ['dev', 'p1', 'secp256r1', 'hosted', 'admin'],
      ['chen', 'cn', 'secp256r1', 'hosted', 'admin'],
      ['ann', 'p1', 'secp256r1', 'hosted', 'member'],
      ['bob', 'p1', 'secp256r1', 'hosted', 'member'],
    ],
    policies: { cn: { frameworks: ['fabric'] } },
    config: { plugins: [{ source: refused.folder, networks: [{ name: 'acme-net', endpoint: {} }] }] },
  });
  await t.users['dev']!.rest.createApp({ code: 'demo-memory', framework: 'memory' });
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  for (const dir of [keys, pluginDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skipReason)('the pages in Chromium', () => {
  test('the pages are served by the node, with a policy that loads nothing from elsewhere', async () => {
    const res = await fetch(`${t.node.restUrl}/ui/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    const js = await (await fetch(`${t.node.restUrl}/ui/app.js`)).text();
    expect(js.length).toBeGreaterThan(1000);
    expect((await fetch(`${t.node.restUrl}/ui/../../package.json`)).status).toBe(404);
    expect((await fetch(`${t.node.restUrl}/ui/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
  });

  test('a portal user creates an app, writes with the copied curl snippet, and sees the count and the chart move', async () => {
    const { context, page } = await signedIn('dev');
    try {
      await page.getByLabel('App code').fill('shop');
      await page.getByLabel('Framework', { exact: true }).selectOption('memory');
      await page.getByRole('button', { name: 'Create app' }).click();
      await page.getByRole('status').filter({ hasText: 'App shop created' }).waitFor();
      const txs = page.locator('[data-usage="txs"]');
      await expect.poll(() => txs.textContent()).toBe('0');
      const chart = page.locator('section[data-app="shop"] svg.chart');
      const before = await chart.getAttribute('data-last-txs');
      expect(before).toBe('0');

      await page.getByRole('button', { name: 'Copy curl snippet' }).click();
      await page.getByText('Copied.').first().waitFor();
      const snippet = await clipboardText(page);
      expect(snippet).toContain('npx bsn node sign PUT');
      const { stdout } = await run('bash', ['-c', snippet], { cwd: repoRoot, env: { ...process.env, KEY: await keyFileOf('dev') } });
      // The snippet wrote, read back and asked for usage: the write's receipt, the value, the count.
      expect(stdout).toContain('"txId"');
      expect(stdout).toContain('"valueText":"hello"');

      await expect.poll(() => txs.textContent(), { timeout: 10_000 }).toBe('1');
      await expect.poll(() => chart.getAttribute('data-last-txs'), { timeout: 10_000 }).toBe('1');
      // Storage and bandwidth are charted too, and moved with the write.
      const io = page.locator('section[data-app="shop"] svg.io');
      await expect.poll(async () => Number(await io.getAttribute('data-last-storage')), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(Number(await io.getAttribute('data-last-bandwidth'))).toBeGreaterThan(0);

      // The keys and key mode: the request key is the very one the user signed in with.
      expect(await page.locator('[data-key="request"]').textContent()).toBe(t.users['dev']!.publicKey);
      expect(await page.locator('[data-key-mode]').getAttribute('data-key-mode')).toBe('hosted');

      // The TypeScript snippet, copied and run as a person would (beside their key file): it writes, reads back, reports usage.
      await page.getByRole('button', { name: 'Copy TypeScript snippet' }).click();
      await expect.poll(() => clipboardText(page)).toContain("from '@bsn/client'");
      const ts = await clipboardText(page);
      const dir = await mkdtemp(join(repoRoot, '.cache', 'ui-snippet-'));
      try {
        await copyFile(await keyFileOf('dev'), join(dir, 'dev-key.json'));
        await writeFile(join(dir, 'quickstart.mts'), ts);
        const out = await run(process.execPath, ['--import', 'tsx', 'quickstart.mts'], { cwd: dir });
        expect(out.stdout).toContain('hello');
        expect(out.stdout).toMatch(/txs: 2\b/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      await expect.poll(() => txs.textContent(), { timeout: 10_000 }).toBe('2');
      await page.locator('section[data-app="shop"]').scrollIntoViewIfNeeded();
      await screenshot(page, 'portal');
      await screenshot(page, 'portal-top', 1100);
      await expectAccessible(page, 'portal page');
    } finally {
      await context.close();
    }
  });

  test('a framework outside the portal’s jurisdiction is offered disabled, and refused when forced through the page', async () => {
    const { context, page } = await signedIn('chen');
    try {
      const option = page.locator('select[name="framework"] option[value="memory"]');
      await expect.poll(() => option.isDisabled()).toBe(true);
      expect(await option.textContent()).toContain('not offered by your portal');
      // Forced: the option enabled by hand and submitted — the node refuses what the key may not do.
      await option.evaluate((o) => ((o as unknown as { disabled: boolean }).disabled = false));
      await page.getByLabel('App code').fill('forced');
      await page.getByLabel('Framework', { exact: true }).selectOption('memory');
      await page.getByRole('button', { name: 'Create app' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('outside-jurisdiction (/framework)');
      expect((await t.users['chen']!.rest.listApps()).apps).toEqual([]);
      await screenshot(page, 'portal-refused');
      await expectAccessible(page, 'portal page with a refusal');
    } finally {
      await context.close();
    }
  });

  test('members and grants from the page; a member who is not the owner is refused by the node, not only by the page', async () => {
    await t.users['dev']!.rest.createApp({ code: 'club', framework: 'memory' });
    const owner = await signedIn('dev');
    try {
      const { page } = owner;
      await page.getByRole('button', { name: 'club', exact: true }).click();
      const app = page.locator('section[data-app="club"]');
      await app.getByLabel('User to admit').fill('ann');
      await app.getByRole('button', { name: 'Admit member' }).click();
      await app.getByRole('status').filter({ hasText: 'ann admitted.' }).waitFor();
      expect((await t.users['dev']!.rest.getApp('club')).members).toEqual(expect.arrayContaining(['dev', 'ann']));
      await app.getByLabel('Other app (code, or portal:code)').fill('demo-memory');
      await app.getByLabel('Direction').selectOption('outgoing');
      await app.getByRole('button', { name: 'Grant', exact: true }).click();
      await app.getByRole('status').filter({ hasText: 'waiting for the other app to grant its side' }).waitFor();
      await app.getByText('p1:club → p1:demo-memory: one side only').waitFor();
      await screenshot(page, 'portal-members-grants');
      await expectAccessible(page, 'portal page, members and grants');
    } finally {
      await owner.context.close();
    }
    const member = await signedIn('ann');
    try {
      const { page } = member;
      await page.getByRole('button', { name: 'club', exact: true }).click();
      const app = page.locator('section[data-app="club"]');
      await app.getByLabel('User to admit').fill('bob');
      await app.getByRole('button', { name: 'Admit member' }).click();
      const alert = app.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('not-app-owner');
      expect((await t.users['dev']!.rest.getApp('club')).members).not.toContain('bob');
    } finally {
      await member.context.close();
    }
  });

  test('a page cannot do what its user’s key cannot: the operator view refuses a portal admin', async () => {
    const { context, page } = await signedIn('dev', '#/operator');
    try {
      await page.getByText("This page is for the node's operators").waitFor();
      expect(await page.getByRole('link', { name: 'Operator' }).count()).toBe(0);
      // Asked directly, from the page's own origin, with the page's own key: the node says no.
      const answer = await page.evaluate(async () => (await fetch('/v1/operator/overview')).status);
      expect(answer).toBe(401);
    } finally {
      await context.close();
    }
  });

  test('the operator sees the network healthy, the apps per portal, the refused plugin and its reason', async () => {
    const { context, page } = await signedIn('olga', '#/operator');
    try {
      const network = page.locator('tr[data-network="mem"]');
      await network.waitFor();
      expect(await network.textContent()).toContain('healthy');
      expect(await page.locator('tr[data-app="p1:demo-memory"]').count()).toBe(1);
      // The node names a plugin by name and version, refused or loaded.
      const plugin = page.locator('tr[data-plugin="@acme/adapter-unsigned@1.0.0"]');
      await plugin.waitFor();
      expect(await plugin.locator('.badge').textContent()).toBe('refused');
      expect(await plugin.locator('.why').textContent()).toMatch(/^certificate-missing: /);
      // Portals managed from the page: a portal limited to Fabric, then seen with its policy.
      await page.getByRole('textbox', { name: 'Code', exact: true }).fill('cn-page');
      await page.getByLabel('Frameworks offered (comma-separated)').first().fill('fabric, fisco-bcos');
      await page.getByRole('button', { name: 'Create portal' }).click();
      await page.getByRole('status').filter({ hasText: 'Portal cn-page created' }).waitFor();
      expect(await t.users['olga']!.rest.getPortal('cn-page')).toMatchObject({ policy: { frameworks: ['fabric', 'fisco-bcos'] } });
      await page.locator('[data-portal="cn-page"]').filter({ hasText: 'Offers fabric, fisco-bcos' }).waitFor();
      await screenshot(page, 'operator');
      await expectAccessible(page, 'operator page');
    } finally {
      await context.close();
    }
  });

  test('names from the API are shown as text, never run: a portal named with markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await t.users['olga']!.rest.createPortal({ code: 'evil', name: evil });
    const { context, page } = await signedIn('olga', '#/operator');
    try {
      const heading = page.locator('[data-portal="evil"] h3');
      await heading.waitFor();
      expect(await heading.textContent()).toContain(evil);
      expect(await page.locator('[data-portal="evil"] img, [data-portal="evil"] script').count()).toBe(0);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  test('the sign-in page passes the accessibility check, and a wrong key file is refused naming the field', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${t.node.restUrl}/ui/`);
      const bad = join(keys!, 'k1.json');
      await writeFile(
        bad,
        JSON.stringify({ user: 'x', algorithm: 'secp256k1', privateKey: '11'.repeat(32), publicKey: `04${'22'.repeat(64)}` }),
      );
      await page.getByLabel('Key file', { exact: true }).setInputFiles(bad);
      expect(await page.getByRole('alert').textContent()).toContain('/algorithm');
      await screenshot(page, 'sign-in');
      await expectAccessible(page, 'sign-in page');
    } finally {
      await context.close();
    }
  });
});
