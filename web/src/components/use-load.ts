import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): Promise<void>;
}

/**
 * Loads data for a screen, optionally re-polling every `pollMs` (the queue and inbox
 * refresh themselves). A reload never blanks what is already on screen.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const call = ++latest.current;
    setLoading(true);
    try {
      const value = await load();
      if (call !== latest.current) return;
      setData(value);
      setError(undefined);
    } catch (caught) {
      if (call !== latest.current) return;
      setError(caught instanceof ApiError ? caught : new ApiError(0, 'unexpected', (caught as Error).message));
    } finally {
      if (call === latest.current) setLoading(false);
    }
    // The caller names what the load depends on (`deps`), as with useEffect.
  }, deps);

  useEffect(() => {
    void reload();
    if (!pollMs) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && void reload(), pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);

  return { data, error, loading, reload };
}

/** Runs a form's action: busy while it runs, the server's refusal kept for the form to show. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (caught) {
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'unexpected', (caught as Error).message));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clearError: () => setError(undefined) };
}
