import type { ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, Empty, formatDuration, formatTime, LoadState, Panel, tierTone } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { DataTable, PageHead } from './admin-ui';

type Entry = Schemas['HygieneEntryDto'];

/** Admin and auditor: code sets overdue for rotation, nearly used up, and accounts with none. */
export function HygienePage() {
  const report = useLoad(() => unwrap(api.GET('/v1/reports/code-hygiene')), []);
  return (
    <div className="adm-page">
      <PageHead
        title="Code hygiene"
        intro="Backup-code sets past their rotation date, sets nearly used up, and active accounts with no set at all."
        actions={
          <button type="button" className="secondary" disabled={report.loading} onClick={() => void report.reload()}>
            {report.loading ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      <LoadState loaded={report}>
        {(r) => (
          <>
            <p className="muted adm-note">Generated {formatTime(r.generatedAt)}.</p>
            <HygieneTable
              title="Overdue for rotation"
              entries={r.overdue}
              empty="No active set is past its rotation date."
              column={[
                'Rotation due',
                (e) => (
                  <span className="near-breach">
                    {formatTime(e.rotationDueAt)} ({formatDuration(Date.parse(r.generatedAt) - Date.parse(e.rotationDueAt ?? r.generatedAt))} ago)
                  </span>
                ),
              ]}
            />
            <HygieneTable
              title="Nearly used up"
              entries={r.nearlyUsedUp}
              empty="No active set is running low on codes."
              column={['Codes left', (e) => <Badge tone={e.remaining === 0 ? 'danger' : 'warn'}>{e.remaining ?? '—'} left</Badge>]}
            />
            <HygieneTable
              title="No codes at all"
              entries={r.missing}
              empty="Every active account has a code set."
              column={['Code set', () => <Badge tone="danger">none</Badge>]}
            />
          </>
        )}
      </LoadState>
    </div>
  );
}

function HygieneTable({ title, entries, empty, column }: { title: string; entries: Entry[]; empty: string; column: [string, (entry: Entry) => ReactNode] }) {
  const [heading, cell] = column;
  return (
    <Panel
      title={
        <>
          {title} <Badge tone={entries.length ? 'warn' : 'ok'}>{entries.length}</Badge>
        </>
      }
    >
      {entries.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <DataTable label={title} columns={['Account', 'External id', 'Tier', heading]}>
          {entries.map((entry) => (
            <tr key={`${entry.accountId}-${entry.setId ?? ''}`}>
              <td>{entry.displayName}</td>
              <td>
                <code>{entry.externalId}</code>
              </td>
              <td>
                <Badge tone={tierTone(entry.tier)}>{entry.tier}</Badge>
              </td>
              <td>{cell(entry)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Panel>
  );
}
