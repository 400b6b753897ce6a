// The pages bench's browser, in a process of its own (as a person's browser is): Chromium, at
// the lowest CPU priority, with the operator page and the portal page (one app open) signed in
// and polling. Prints `ready` once both pages show data; on `stop` (a line on stdin) prints
// `{"calls": N, "ms": M}` — the /v1 calls the pages made since `ready`, and over how long —
// closes the browser and exits. Driven by pages.bench.ts; the driver (Playwright) runs here,
// so none of its work lands in the node's process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const o = JSON.parse(process.argv[2]);
const niced = join(o.dir, 'chromium-niced');
writeFileSync(niced, `#!/bin/sh\nexec nice -n 19 ${JSON.stringify(o.chromium)} "$@"\n`, { mode: 0o755 });
const say = (m) => process.env['BSN_DEBUG'] && process.stderr.write(`[pages-browser] ${m}\n`);
say('launching chromium');
const browser = await chromium.launch({
  executablePath: niced,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
  handleSIGTERM: false,
  handleSIGINT: false,
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => void browser.close().finally(() => process.exit(1)));
let calls = 0;
let counting = false;
async function signIn(file, hash) {
  // One context per user: a context keeps one signed-in key per origin.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (r) => {
    if (counting && new URL(r.url()).pathname.startsWith('/v1/')) calls++;
  });
  const page = await context.newPage();
  await page.goto(`${o.restUrl}/ui/?poll=${o.pollMs}${hash}`);
  await page.getByLabel('Key file', { exact: true }).setInputFiles(file);
  await page.getByText('Signed in as').waitFor();
  return page;
}
try {
  say('signing in the operator');
  const operator = await signIn(o.operatorFile, '#/operator');
  await operator.locator(`tr[data-network="${o.network}"]`).waitFor();
  say('signing in the portal user');
  const portal = await signIn(o.userFile, '#/portal');
  say('opening the app');
  await portal.getByRole('button', { name: o.app, exact: true }).click();
  say('waiting for its usage');
  await portal.locator('[data-usage="txs"]').waitFor();
  await new Promise((r) => setTimeout(r, 2 * o.pollMs));
  say('polling');
  counting = true;
  const since = Date.now();
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'stop') break;
  process.stdout.write(`${JSON.stringify({ calls, ms: Date.now() - since })}\n`);
} finally {
  await browser.close();
}
// stdin (still open for the driver) would keep this process alive.
process.exit(0);
