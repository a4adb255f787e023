import { useState } from 'react';
import { useAction, useLoad } from '../../components/use-load';

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A keyset-paged list read with "More": the first page loads with `deps`, each
 * "More" appends the page after the last cursor. Reloading the first page (new
 * search, a change saved) drops the appended pages, so nothing stale stays on screen.
 */
export function useKeysetList<T>(fetchPage: (cursor?: string) => Promise<KeysetPage<T>>, deps: unknown[]) {
  const first = useLoad(() => fetchPage(), deps);
  const [appended, setAppended] = useState<{ after: KeysetPage<T>; pages: KeysetPage<T>[] }>();
  const pages = first.data ? [first.data, ...(appended?.after === first.data ? appended.pages : [])] : [];
  const nextCursor = pages.at(-1)?.nextCursor ?? null;

  const more = useAction(async () => {
    const base = first.data;
    if (!base || !nextCursor) return;
    const page = await fetchPage(nextCursor);
    setAppended((current) => ({ after: base, pages: [...(current?.after === base ? current.pages : []), page] }));
  });

  return {
    /** For LoadState: the first page's loading and error. */
    loaded: { data: first.data && pages.flatMap((p) => p.items), error: first.error, loading: first.loading },
    hasMore: nextCursor !== null,
    more,
    reload: first.reload,
  };
}
