import { useState, type FormEvent } from 'react';
import { useAction } from '../components/use-load';
import { ErrorNote, Field } from '../components/ui';
import { useSession } from '../session/session';

/** Paste a staff token once; it is kept for this tab only. */
export function SignInPage({ notice }: { notice?: string }) {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const action = useAction(signIn);

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
      <form onSubmit={submit} aria-label="Sign in">
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
