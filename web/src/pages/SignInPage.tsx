import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useAction, useLoad } from '../components/use-load';
import { ErrorNote, Field } from '../components/ui';
import { useSession } from '../session/session';

/**
 * Sign in through the company's identity provider when one is configured (first), or paste
 * a staff token (service accounts, break-glass admins, a desk without a provider); the token
 * is kept for this tab only.
 */
export function SignInPage({ notice }: { notice?: string }) {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const action = useAction(signIn);
  const options = useLoad(() => unwrap(api.GET('/v1/auth/options')), []);
  const oidc = options.data?.oidc;
  const returnTo = window.location.pathname === '/' ? '' : `?returnTo=${encodeURIComponent(window.location.pathname + window.location.search)}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(token.trim());
  };

  return (
    <main className="sign-in">
      <h1>Recovery desk</h1>
      <p className="muted">Help-desk console for MFA backup-code recovery.</p>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {oidc && (
        <p>
          <a className="button" href={`${oidc.signInUrl}${returnTo}`}>
            Sign in with {oidc.providerName}
          </a>
        </p>
      )}
      <form onSubmit={submit} aria-label="Sign in">
        {oidc && <h2 className="muted">Or with a staff token (service accounts, break-glass)</h2>}
        <Field
          label="Staff token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          hint="Paste the token an admin issued to you. It is kept in this browser tab only and forgotten when you close it."
          required
        />
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy || token.trim() === ''}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
