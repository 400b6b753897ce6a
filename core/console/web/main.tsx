/**
 * The city node's pages: the operator view (the whole node) and the portal view (a developer's
 * apps), behind one sign-in. What each shows and allows is what the signed-in user's key may do
 * through the API: the pages hide what is not offered, the node refuses it.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { SignedApi, type Identity } from '../src/signing/signed-api.js';
import { forgetIdentity, loadIdentity } from './key-store.js';
import type { Me } from './me.js';
import { OperatorPage } from './ui/operator-page.js';
import { PortalPage } from './ui/portal-page.js';
import { describe } from './ui/refusal.js';
import { SignIn } from './ui/sign-in.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const [identity, setIdentity] = useState<Identity | null | undefined>(null);
  const [me, setMe] = useState<Me>();
  const [refused, setRefused] = useState<unknown>();
  const hash = useHash();
  useEffect(() => {
    loadIdentity().then(setIdentity, () => setIdentity(undefined));
  }, []);
  const api = useMemo(() => (identity ? new SignedApi(location.origin, identity) : undefined), [identity]);
  useEffect(() => {
    setMe(undefined);
    setRefused(undefined);
    api?.call<Me>('GET', '/v1/users/me').then(setMe, setRefused);
  }, [api]);
  const signOut = async () => {
    await forgetIdentity();
    setIdentity(undefined);
  };

  if (identity === null)
    return (
      <main>
        <h1>BSN city node</h1>
        <p>Loading…</p>
      </main>
    );
  if (!identity || !api) return <SignIn onSignedIn={setIdentity} />;
  const operatorView = hash.startsWith('#/operator');
  return (
    <>
      <header class="top">
        <strong>BSN city node</strong>
        <nav aria-label="Pages">
          <ul>
            <li>
              <a href="#/portal" aria-current={!operatorView ? 'page' : undefined}>
                Portal
              </a>
            </li>
            {me?.role === 'operator' && (
              <li>
                <a href="#/operator" aria-current={operatorView ? 'page' : undefined}>
                  Operator
                </a>
              </li>
            )}
          </ul>
        </nav>
        <span class="who">
          Signed in as <strong>{identity.user}</strong>
          {me && ` (${me.role}, portal ${me.portal})`}
          <button type="button" class="secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      {refused ? (
        <main>
          <h1>The node does not accept this key</h1>
          <p class="error" role="alert">
            {describe(refused)}
          </p>
          <p>Registered users sign in with the key the node knows them by. To register this one, give your portal's admin:</p>
          <pre>{JSON.stringify({ code: identity.user, algorithm: 'secp256r1', publicKey: identity.publicKey }, null, 2)}</pre>
        </main>
      ) : !me ? (
        <main>
          <h1>BSN city node</h1>
          <p>Loading…</p>
        </main>
      ) : operatorView && me.role === 'operator' ? (
        <OperatorPage api={api} />
      ) : operatorView ? (
        <main>
          <h1>Operator</h1>
          <p role="alert">
            This page is for the node's operators; {me.code} is a {me.role} of portal {me.portal}.
          </p>
        </main>
      ) : (
        <PortalPage api={api} me={me} />
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
