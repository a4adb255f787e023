import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { LoadState, Panel } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { PageHead } from '../admin/admin-ui';
import { AuditFilters, type AuditFilter } from './AuditFilters';
import { AuditTable } from './AuditTable';
import { LogVerify } from './LogVerify';

/** Auditor and admin: the append-only audit log (a Merkle tree with signed checkpoints), newest first, and its verification. */
export function AuditPage() {
  const [filter, setFilter] = useState<AuditFilter>({ limit: 50 });
  // Keyset paging, newest first: the cursors that led to each page, so "Newer" can step back.
  const [cursors, setCursors] = useState<string[]>([]);
  const [brokenSeq, setBrokenSeq] = useState<number>();
  const [actionsSeen, setActionsSeen] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useLoad(async () => {
    const result = await unwrap(api.GET('/v1/audit', { params: { query: { ...filter, cursor } } }));
    setActionsSeen((seen) => [...new Set([...seen, ...result.items.map((e) => e.action)])].sort());
    return result;
  }, [JSON.stringify(filter), cursor]);

  const applyFilter = (next: AuditFilter) => {
    setCursors([]);
    setFilter(next);
  };
  const { limit, ...criteria } = filter;
  const filtered = Object.values(criteria).some(Boolean);

  return (
    <div className="adm-page">
      <PageHead
        title="Audit trail"
        intro="Every security-relevant act, newest first. Events form a Merkle tree whose signed checkpoints are kept outside the database; the database refuses changes."
      />
      <LogVerify onVerdict={(verdict) => setBrokenSeq(verdict?.ok === false ? verdict.firstBrokenSeq : undefined)} />
      <Panel title="Events">
        <AuditFilters key={JSON.stringify(criteria)} value={filter} onApply={applyFilter} knownActions={actionsSeen} errors={page.error?.fieldMessages ?? {}} />
        <LoadState loaded={page} empty={(p) => p.items.length === 0 && (filtered ? 'No event matches these filters.' : 'The audit trail is empty.')}>
          {(p) => <AuditTable events={p.items} brokenSeq={brokenSeq} onFilter={(change) => applyFilter({ ...filter, ...change })} />}
        </LoadState>
        <nav className="adm-pager" aria-label="Audit pages">
          <button type="button" className="secondary" disabled={cursors.length === 0 || page.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
            ← Newer
          </button>
          <span className="muted">
            Page {cursors.length + 1}
            {page.data && page.data.items.length > 0 && ` · events #${page.data.items[0].seq} – #${page.data.items.at(-1)!.seq}`}
            {` · ${limit} per page`}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={!page.data?.nextCursor || page.loading}
            onClick={() => page.data?.nextCursor && setCursors((c) => [...c, page.data!.nextCursor!])}
          >
            Older →
          </button>
        </nav>
      </Panel>
    </div>
  );
}
