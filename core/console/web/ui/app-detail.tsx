/** One app on the portal page: keys and key mode, live usage, members, grants, and quickstart snippets to copy. */
import { useRef, useState } from 'preact/hooks';
import { clientSnippet, curlSnippet } from '../../src/snippets.js';
import type { SignedApi } from '../../src/signing/signed-api.js';
import type { Me } from '../me.js';
import { SelectField } from './field.js';
import { UsageChart, pointOf, record, type UsagePoint } from './chart.js';
import { bytes, count, rate } from './format.js';
import { usePoll } from './poll.js';
import { Refusal } from './refusal.js';

interface App {
  code: string;
  framework: string;
  network: string;
  owner: string;
  members?: string[];
}

interface Usage {
  txs: number;
  tps: number;
  reads: number;
  storageBytes: number;
  bytesIn: number;
  bytesOut: number;
}

function Snippet({ title, text }: { title: string; text: string }) {
  const [copied, setCopied] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied.');
    } catch {
      setCopied('Copying was refused by the browser: select the text instead.');
    }
  };
  return (
    <div>
      <h4>{title}</h4>
      <pre data-snippet={title}>{text}</pre>
      <button type="button" class="secondary" onClick={() => void copy()}>
        Copy {title}
      </button>{' '}
      <span role="status">{copied}</span>
    </div>
  );
}

export function AppDetail({ api, me, app }: { api: SignedApi; me: Me; app: string }) {
  const path = `/v1/apps/${encodeURIComponent(app)}`;
  const info = usePoll(() => api.call<App>('GET', path, { app }), [api, app], 10_000);
  const usage = usePoll(() => api.call<Usage>('GET', `${path}/usage`, { app }), [api, app]);
  const grants = usePoll(
    () => api.call<{ grants: Array<{ sourceApp: string; targetApp: string; effective: boolean }> }>('GET', `${path}/grants`, { app }),
    [api, app],
    10_000,
  );
  const series = useRef<Map<string, UsagePoint[]>>(new Map());
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const u = usage.data;
  const points = u ? record(series.current, app, pointOf(Date.now(), u)) : [];

  const act = (work: (form: FormData) => Promise<string>) => async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await work(new FormData(e.target as HTMLFormElement)));
      info.refresh();
      grants.refresh();
    } catch (err) {
      setError(err);
    }
  };
  const a = info.data;
  const context = { baseUrl: location.origin, app, user: me.code };
  return (
    <section aria-labelledby="app-detail" data-app={app}>
      <h2 id="app-detail">App {app}</h2>
      {a && (
        <p>
          {a.framework} on network {a.network}, owner {a.owner}; members: {(a.members ?? []).join(', ')}.
        </p>
      )}
      <h3>Keys</h3>
      <table class="keys">
        <tbody>
          <tr>
            <th scope="row">Your request key</th>
            <td>
              {me.algorithm} <code data-key="request">{me.publicKey}</code>
              <div class="muted">signs every API call you make, from this page as from curl or the client</div>
            </td>
          </tr>
          <tr>
            <th scope="row">Key mode</th>
            <td data-key-mode={me.keyMode}>
              {me.keyMode === 'hosted'
                ? 'hosted keys: the node signs your chain transactions'
                : 'user keys: you sign each chain transaction (prepare, then submit)'}
            </td>
          </tr>
          <tr>
            <th scope="row">Your chain key{a ? ` on ${a.framework}` : ''}</th>
            <td>
              {!a ? (
                '…'
              ) : me.keyMode === 'hosted' ? (
                `derived from your BSN identity and held by the node; bound to your identity by a statement any city node can verify`
              ) : me.chainAccounts[a.framework] ? (
                <code data-key="chain">{me.chainAccounts[a.framework]}</code>
              ) : (
                `none registered yet: PUT /v1/users/me/chain-keys/${a.framework} before writing`
              )}
            </td>
          </tr>
        </tbody>
      </table>
      <div class="grid">
        <div>
          <h3>Usage</h3>
          <table>
            <tbody>
              <tr>
                <th scope="row">Transactions</th>
                <td class="num" data-usage="txs">
                  {u ? count(u.txs) : '…'}
                </td>
              </tr>
              <tr>
                <th scope="row">TPS (this node, over its window)</th>
                <td class="num">{u ? rate(u.tps) : '…'}</td>
              </tr>
              <tr>
                <th scope="row">Reads</th>
                <td class="num">{u ? count(u.reads) : '…'}</td>
              </tr>
              <tr>
                <th scope="row">Storage written</th>
                <td class="num">{u ? bytes(u.storageBytes) : '…'}</td>
              </tr>
              <tr>
                <th scope="row">Bandwidth in / out</th>
                <td class="num">{u ? `${bytes(u.bytesIn)} / ${bytes(u.bytesOut)}` : '…'}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <UsageChart title={`App ${app}`} series={`app:${me.portal}:${app}`} points={points} />
      </div>
      <h3>Members and grants</h3>
      <p class="muted">
        Only the app's owner{a ? ` (${a.owner})` : ''} or an admin of the portal admits members and grants; the node refuses anyone else. A
        grant is one side: calls flow once the other app's owner grants the other side.
      </p>
      <Refusal error={error} />
      {done && <p role="status">{done}</p>}
      <div class="grid">
        <form
          class="panel inline"
          onSubmit={act(async (f) => {
            await api.call('POST', `${path}/members`, { app, body: { user: f.get('user') } });
            return `${String(f.get('user'))} admitted.`;
          })}
        >
          <label>
            User to admit
            <input name="user" required />
          </label>
          <button type="submit">Admit member</button>
        </form>
        <form
          class="panel inline"
          onSubmit={act(async (f) => {
            const methods = String(f.get('methods') ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
            const g = await api.call<{ effective: boolean }>('POST', `${path}/grants`, {
              app,
              body: { peer: f.get('peer'), direction: f.get('direction'), methods },
            });
            return `Granted (${g.effective ? 'effective: the other app granted too' : 'waiting for the other app to grant its side'}).`;
          })}
        >
          <label>
            Other app (code, or portal:code)
            <input name="peer" required />
          </label>
          <SelectField id="grant-direction" label="Direction" name="direction">
            <option value="outgoing">this app may call it</option>
            <option value="incoming">it may call this app</option>
          </SelectField>
          <label>
            Methods (comma-separated; blank: all)
            <input name="methods" />
          </label>
          <button type="submit">Grant</button>
        </form>
      </div>
      {(grants.data?.grants ?? []).length > 0 && (
        <ul>
          {grants.data!.grants.map((g) => (
            <li key={`${g.sourceApp}>${g.targetApp}`}>
              {g.sourceApp} → {g.targetApp}: {g.effective ? 'effective' : 'one side only'}
            </li>
          ))}
        </ul>
      )}
      <h3>Quickstart</h3>
      <Snippet title="curl snippet" text={curlSnippet(context)} />
      <Snippet title="TypeScript snippet" text={clientSnippet(context)} />
    </section>
  );
}
