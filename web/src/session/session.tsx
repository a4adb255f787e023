import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, unwrap, whenUnauthenticated, type Schemas } from '../api/client';
import { tokenStore } from './token-store';

export type Me = Schemas['StaffDto'];
export type Role = Me['roles'][number];

type SessionState =
  | { status: 'checking' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; me: Me };

interface Session {
  state: SessionState;
  signIn(token: string): Promise<void>;
  signOut(notice?: string): void;
}

const SessionContext = createContext<Session | null>(null);

export const SESSION_ENDED = 'Your session has ended: the token has expired or was revoked. Sign in again with a current token.';

/** Who is signed in, checked against GET /v1/me; any 401 later signs out with a clear notice. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(() => (tokenStore.get() ? { status: 'checking' } : { status: 'signed-out' }));

  const signOut = useCallback((notice?: string) => {
    tokenStore.clear();
    setState({ status: 'signed-out', notice });
  }, []);

  useEffect(() => whenUnauthenticated(() => signOut(SESSION_ENDED)), [signOut]);

  useEffect(() => {
    if (state.status !== 'checking') return;
    unwrap(api.GET('/v1/me'))
      .then((me) => setState({ status: 'signed-in', me }))
      .catch((error: unknown) => signOut(error instanceof ApiError && error.code === 'unauthenticated' ? SESSION_ENDED : (error as Error).message));
  }, [state.status, signOut]);

  const signIn = useCallback(async (token: string) => {
    const me = await unwrap(api.GET('/v1/me', { headers: { Authorization: `Bearer ${token}` } }));
    tokenStore.set(token);
    setState({ status: 'signed-in', me });
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
