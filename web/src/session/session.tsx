import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, unwrap, whenStepUpRequired, whenUnauthenticated, type Schemas } from '../api/client';
import { csrfStore, tokenStore } from './token-store';

export type Me = Schemas['StaffDto'];
export type Role = Me['roles'][number];

type SessionState = { status: 'checking' } | { status: 'signed-out'; notice?: string } | { status: 'signed-in'; me: Me; method: 'oidc' | 'staff_token' };

interface Session {
  state: SessionState;
  signIn(token: string): Promise<void>;
  signOut(notice?: string): void;
}

const SessionContext = createContext<Session | null>(null);

export const SESSION_ENDED = 'Your session has ended: the token has expired or was revoked. Sign in again with a current token.';
const COOKIE_SESSION_ENDED = 'Your session has ended (signed out, idle too long or too old). Sign in again.';

/** Where the identity provider sends the person back after a step-up: the screen they were on. */
export const stepUpUrl = (signInUrl: string) => `${signInUrl}&returnTo=${encodeURIComponent(window.location.pathname + window.location.search)}`;

/**
 * Who is signed in: a staff token pasted into this tab (checked against GET /v1/me), or a
 * session through the identity provider (an HttpOnly cookie; GET /v1/auth/session gives its
 * CSRF token). Any 401 later signs out with a clear notice; a step-up refusal sends the
 * person through the provider again and back to the same screen.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'checking' });

  const forget = useCallback((notice?: string) => {
    tokenStore.clear();
    csrfStore.set(null);
    setState({ status: 'signed-out', notice });
  }, []);

  const signOut = useCallback(
    (notice?: string) => {
      if (!csrfStore.get()) return forget(notice);
      unwrap(api.POST('/v1/auth/sign-out'))
        .then(({ logoutUrl }) => {
          forget(notice);
          if (logoutUrl) window.location.assign(logoutUrl);
        })
        .catch(() => forget(notice));
    },
    [forget],
  );

  useEffect(() => whenUnauthenticated(() => forget(csrfStore.get() ? COOKIE_SESSION_ENDED : SESSION_ENDED)), [forget]);
  useEffect(() => whenStepUpRequired((signInUrl) => window.location.assign(stepUpUrl(signInUrl))), []);

  useEffect(() => {
    if (state.status !== 'checking') return;
    if (tokenStore.get()) {
      unwrap(api.GET('/v1/me'))
        .then((me) => setState({ status: 'signed-in', me, method: 'staff_token' }))
        .catch((error: unknown) => forget(error instanceof ApiError && error.code === 'unauthenticated' ? SESSION_ENDED : (error as Error).message));
      return;
    }
    unwrap(api.GET('/v1/auth/session'))
      .then((session) => {
        csrfStore.set(session.csrfToken);
        setState({ status: 'signed-in', me: session.me, method: session.method });
      })
      .catch((error: unknown) => forget(error instanceof ApiError && error.code === 'unauthenticated' ? undefined : (error as Error).message));
  }, [state.status, forget]);

  const signIn = useCallback(async (token: string) => {
    const me = await unwrap(api.GET('/v1/me', { headers: { Authorization: `Bearer ${token}` } }));
    tokenStore.set(token);
    setState({ status: 'signed-in', me, method: 'staff_token' });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in staff member (only inside signed-in screens). */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe while signed out');
  return state.me;
}
