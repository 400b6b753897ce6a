/**
 * Signing in is holding a key: a BSN key file imported into this browser, or a key made here.
 * Either way the private key becomes a WebCrypto key that cannot be read back, and every call
 * the pages make is signed with it — there is no password, session or cookie to steal.
 */
import { useState } from 'preact/hooks';
import { generateP256, importKeyFile } from '../../src/signing/p256.js';
import type { Identity } from '../../src/signing/signed-api.js';
import { saveIdentity } from '../key-store.js';
import { describe } from './refusal.js';

export function SignIn({ onSignedIn }: { onSignedIn: (identity: Identity) => void }) {
  const [error, setError] = useState<string>();
  const [made, setMade] = useState<Identity>();

  const useFile = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      const key = await importKeyFile(await file.text());
      const identity = { user: key.user, privateKey: key.privateKey, publicKey: key.publicKey };
      await saveIdentity(identity);
      onSignedIn(identity);
    } catch (err) {
      setError(describe(err));
    }
  };

  const makeKey = async (e: Event) => {
    e.preventDefault();
    const user = new FormData(e.target as HTMLFormElement).get('user');
    if (typeof user !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(user)) {
      setError('user: 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit');
      return;
    }
    const key = await generateP256();
    const identity = { user, ...key };
    await saveIdentity(identity);
    setMade(identity);
  };

  return (
    <main>
      <h1>Sign in to the city node</h1>
      <p>
        The pages call the node's API like every client: each request is signed with your key, in this browser. The key never leaves it.
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <section class="panel" aria-labelledby="with-file">
        <h2 id="with-file">With a key file</h2>
        <p class="muted">
          A BSN key file <code>{'{ user, algorithm: "secp256r1", privateKey, publicKey }'}</code> — <code>npm start</code> writes{' '}
          <code>.bsn/demo-user.json</code> and <code>.bsn/operator-user.json</code>. It is read here and sent nowhere.
        </p>
        <label>
          Key file
          <input type="file" accept=".json,application/json" onChange={(e) => void useFile(e.currentTarget)} />
        </label>
      </section>
      <section class="panel" aria-labelledby="with-new">
        <h2 id="with-new">With a new key made in this browser</h2>
        {!made ? (
          <form class="inline" onSubmit={(e) => void makeKey(e)}>
            <label>
              Your user code
              <input name="user" autocomplete="username" required />
            </label>
            <button type="submit">Make a P-256 key</button>
          </form>
        ) : (
          <div>
            <p>
              Key made for <strong>{made.user}</strong>. Ask your portal's admin (or the node's operator) to register it:
            </p>
            <pre>{JSON.stringify({ code: made.user, algorithm: 'secp256r1', publicKey: made.publicKey }, null, 2)}</pre>
            <p class="muted">POST /v1/portals/&lt;portal&gt;/users with that body, or the operator page's “Register a user”.</p>
            <button type="button" onClick={() => onSignedIn(made)}>
              Continue
            </button>
          </div>
        )}
      </section>
    </main>
  );
}
