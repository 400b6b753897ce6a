/**
 * The portal view for app developers: create an app on a framework the portal offers, and
 * open one to see its keys, usage, members, grants and quickstart snippets. Frameworks the
 * portal's policy does not offer are shown, disabled, with the reason — and refused by the
 * node if asked for anyway.
 */
import { useState } from 'preact/hooks';
import type { SignedApi } from '../../src/signing/signed-api.js';
import type { Me } from '../me.js';
import { AppDetail } from './app-detail.js';
import { SelectField } from './field.js';
import { offered } from './format.js';
import { usePoll } from './poll.js';
import { Refusal } from './refusal.js';

interface Portal {
  code: string;
  name: string;
  policy: { frameworks?: string[]; networks?: string[] };
}

interface AppRow {
  code: string;
  name: string;
  framework: string;
  network: string;
  owner: string;
}

export function PortalPage({ api, me }: { api: SignedApi; me: Me }) {
  const portal = usePoll(() => api.call<Portal>('GET', `/v1/portals/${encodeURIComponent(me.portal)}`), [api, me.portal], 30_000);
  const node = usePoll(() => api.call<{ networks: Array<{ name: string; framework: string }> }>('GET', '/v1/node'), [api], 30_000);
  const apps = usePoll(() => api.call<{ apps: AppRow[] }>('GET', '/v1/apps'), [api]);
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<string>();

  const policy = portal.data?.policy ?? {};
  const frameworks = [...new Set((node.data?.networks ?? []).map((n) => n.framework))];
  const allowed = (fw: string) =>
    (policy.frameworks === undefined || policy.frameworks.includes(fw)) &&
    (node.data?.networks ?? []).some((n) => n.framework === fw && (policy.networks === undefined || policy.networks.includes(n.name)));

  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    const form = new FormData(e.target as HTMLFormElement);
    try {
      const app = await api.call<AppRow>('POST', '/v1/apps', {
        body: { code: form.get('code'), framework: form.get('framework'), mode: form.get('mode') },
      });
      setCreated(`App ${app.code} created on ${app.framework} (${app.network}).`);
      setSelected(app.code);
      apps.refresh();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <main>
      <h1>Portal {portal.data?.name ?? me.portal}</h1>
      <section aria-labelledby="account">
        <h2 id="account">Your account</h2>
        <p>
          <strong>{me.code}</strong>, {me.role} of portal {me.portal}; requests signed with {me.algorithm}; chain transactions in{' '}
          <strong>{me.keyMode === 'hosted' ? 'hosted-key mode' : 'user-key mode'}</strong>{' '}
          {me.keyMode === 'hosted'
            ? '(the node signs them with keys derived from your BSN identity)'
            : '(you sign them: prepare, then submit)'}
          .
        </p>
        <p class="muted">
          This portal offers {offered(policy.frameworks, 'framework')} on {offered(policy.networks, 'network')}.
        </p>
      </section>
      <section aria-labelledby="create">
        <h2 id="create">Create an app</h2>
        <form class="inline" onSubmit={(e) => void create(e)}>
          <label>
            App code
            <input name="code" required />
          </label>
          <SelectField id="new-app-framework" label="Framework" name="framework">
            {frameworks.map((fw) => (
              <option key={fw} value={fw} disabled={!allowed(fw)}>
                {allowed(fw) ? fw : `${fw} — not offered by your portal`}
              </option>
            ))}
          </SelectField>
          <SelectField id="new-app-mode" label="Mode" name="mode">
            <option value="consortium">consortium</option>
            <option value="private">private</option>
          </SelectField>
          <button type="submit">Create app</button>
        </form>
        <Refusal error={error} />
        {created && <p role="status">{created}</p>}
      </section>
      <section aria-labelledby="apps">
        <h2 id="apps">Your apps</h2>
        {apps.error && (
          <p class="error" role="alert">
            {apps.error}
          </p>
        )}
        {(apps.data?.apps ?? []).length === 0 ? (
          <p class="muted">No apps yet.</p>
        ) : (
          <ul>
            {apps.data!.apps.map((a) => (
              <li key={a.code}>
                <button type="button" class="secondary" aria-pressed={selected === a.code} onClick={() => setSelected(a.code)}>
                  {a.code}
                </button>{' '}
                <span class="muted">
                  {a.framework} on {a.network}, owner {a.owner}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {selected && <AppDetail key={selected} api={api} me={me} app={selected} />}
    </main>
  );
}
