/**
 * Ready-to-run snippets for one app, shown on the portal page: curl with `bsn node sign` (the
 * request signed by the same key file the user signed in with) and the TypeScript client.
 * Plain text from plain values, so a test can run exactly what a person would copy.
 */
export interface SnippetContext {
  /** The node's REST address, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  app: string;
  user: string;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlSnippet(c: SnippetContext): string {
  return [
    `# the key file you signed in with (${c.user}'s); the body passed to --data must be the exact bytes sent`,
    `URL=${shellQuote(c.baseUrl)}; APP=${shellQuote(c.app)}; KEY=\${KEY:-${c.user}-key.json}`,
    `curl -s -X PUT --data-binary 'hello' "$URL/v1/apps/$APP/kv/greeting" \\`,
    `  $(npx bsn node sign PUT "/v1/apps/$APP/kv/greeting" --app "$APP" --data 'hello' --key "$KEY")`,
    `curl -s "$URL/v1/apps/$APP/kv/greeting" $(npx bsn node sign GET "/v1/apps/$APP/kv/greeting" --app "$APP" --key "$KEY")`,
    `curl -s "$URL/v1/apps/$APP/usage" $(npx bsn node sign GET "/v1/apps/$APP/usage" --app "$APP" --key "$KEY")`,
  ].join('\n');
}

export function clientSnippet(c: SnippetContext): string {
  return [
    `import { readFileSync } from 'node:fs';`,
    `import { fromHex } from '@bsn/contract';`,
    `import { BsnClient } from '@bsn/client';`,
    ``,
    `const key = JSON.parse(readFileSync('${c.user}-key.json', 'utf8'));`,
    `const client = new BsnClient({ baseUrl: ${JSON.stringify(c.baseUrl)}, user: key.user, algorithm: key.algorithm, privateKey: fromHex(key.privateKey) });`,
    `await client.put(${JSON.stringify(c.app)}, 'greeting', 'hello');`,
    `console.log((await client.get(${JSON.stringify(c.app)}, 'greeting'))?.text);`,
    `console.log(await client.usage(${JSON.stringify(c.app)}));`,
  ].join('\n');
}
