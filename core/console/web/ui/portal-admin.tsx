/** The operator's forms: create a portal, change its policy, register a user in it (each one signed API call). */
import { useState } from 'preact/hooks';
import type { SignedApi } from '../../src/signing/signed-api.js';
import { SelectField } from './field.js';
import { listField } from './format.js';
import { Refusal } from './refusal.js';

interface Props {
  api: SignedApi;
  portals: Array<{ code: string; name: string }>;
  frameworks: string[];
  onChange: () => void;
}

const field = (form: HTMLFormElement, name: string) => String(new FormData(form).get(name) ?? '');

export function PortalAdmin({ api, portals, frameworks, onChange }: Props) {
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const submit = (work: (form: HTMLFormElement) => Promise<string>) => async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await work(e.target as HTMLFormElement));
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  const policyOf = (form: HTMLFormElement) => {
    const fw = listField(field(form, 'frameworks'));
    const nets = listField(field(form, 'networks'));
    return { ...(fw && { frameworks: fw }), ...(nets && { networks: nets }) };
  };
  return (
    <section aria-labelledby="manage">
      <h2 id="manage">Portals and users</h2>
      <p class="muted">Frameworks on this node: {frameworks.join(', ') || 'none'}. Blank lists offer anything.</p>
      <Refusal error={error} />
      {done && <p role="status">{done}</p>}
      <div class="grid">
        <form
          class="panel"
          aria-labelledby="new-portal"
          onSubmit={submit(async (f) => {
            const p = await api.call<{ code: string }>('POST', '/v1/portals', {
              body: { code: field(f, 'code'), name: field(f, 'name') || undefined, policy: policyOf(f) },
            });
            return `Portal ${p.code} created.`;
          })}
        >
          <h3 id="new-portal">Create a portal</h3>
          <label>
            Code
            <input name="code" required />
          </label>
          <label>
            Name
            <input name="name" />
          </label>
          <label>
            Frameworks offered (comma-separated)
            <input name="frameworks" />
          </label>
          <label>
            Networks offered (comma-separated)
            <input name="networks" />
          </label>
          <button type="submit">Create portal</button>
        </form>
        <form
          class="panel"
          aria-labelledby="edit-policy"
          onSubmit={submit(async (f) => {
            const code = field(f, 'portal');
            await api.call('PATCH', `/v1/portals/${encodeURIComponent(code)}`, { body: { policy: policyOf(f) } });
            return `Policy of ${code} changed.`;
          })}
        >
          <h3 id="edit-policy">Change a portal's policy</h3>
          <SelectField id="policy-portal" label="Portal" name="portal">
            {portals.map((p) => (
              <option key={p.code} value={p.code}>
                {p.code}
              </option>
            ))}
          </SelectField>
          <label>
            Frameworks offered (comma-separated)
            <input name="frameworks" />
          </label>
          <label>
            Networks offered (comma-separated)
            <input name="networks" />
          </label>
          <button type="submit">Change policy</button>
        </form>
        <form
          class="panel"
          aria-labelledby="new-user"
          onSubmit={submit(async (f) => {
            const portal = field(f, 'portal');
            const u = await api.call<{ code: string }>('POST', `/v1/portals/${encodeURIComponent(portal)}/users`, {
              body: {
                code: field(f, 'code'),
                algorithm: field(f, 'algorithm'),
                publicKey: field(f, 'publicKey'),
                role: field(f, 'role'),
                keyMode: field(f, 'keyMode'),
              },
            });
            return `User ${u.code} registered in ${portal}.`;
          })}
        >
          <h3 id="new-user">Register a user</h3>
          <SelectField id="user-portal" label="Portal" name="portal">
            {portals.map((p) => (
              <option key={p.code} value={p.code}>
                {p.code}
              </option>
            ))}
          </SelectField>
          <label>
            User code
            <input name="code" required />
          </label>
          <SelectField id="user-algorithm" label="Algorithm" name="algorithm">
            <option>secp256r1</option>
            <option>secp256k1</option>
            <option>sm2</option>
          </SelectField>
          <label>
            Public key (hex)
            <input name="publicKey" required />
          </label>
          <SelectField id="user-role" label="Role" name="role">
            <option>member</option>
            <option>admin</option>
            <option>operator</option>
          </SelectField>
          <SelectField id="user-key-mode" label="Key mode" name="keyMode">
            <option>hosted</option>
            <option>user</option>
          </SelectField>
          <button type="submit">Register user</button>
        </form>
      </div>
    </section>
  );
}
