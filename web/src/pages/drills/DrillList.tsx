import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, formatTime, LoadState, Panel, Select, tierTone } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { stepLabel } from './funnel';

type DrillSummary = Schemas['DrillSummaryDto'];

const PAGE_SIZE = 20;

function DrillResult({ drill }: { drill: Pick<DrillSummary, 'outcome' | 'status'> }) {
  if (drill.outcome === 'passed') return <Badge tone="ok">Passed: stopped</Badge>;
  if (drill.outcome === 'failed') return <Badge tone="danger">Failed: got through</Badge>;
  if (drill.outcome === 'inconclusive') return <Badge>Inconclusive</Badge>;
  return <Badge tone="info">{drill.status === 'scheduled' ? 'Scheduled' : 'Pending'}</Badge>;
}

/** Drills newest first, a page at a time (keyset: the cursors of the pages before are kept to go back). */
export function DrillList({ campaigns, version }: { campaigns: string[]; version: number }) {
  const [campaign, setCampaign] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useLoad(
    () => unwrap(api.GET('/v1/drills', { params: { query: { campaign: campaign || undefined, cursor, limit: PAGE_SIZE } } })),
    [campaign, cursor, version],
  );
  const filter = (value: string) => {
    setCampaign(value);
    setCursors([]);
  };

  return (
    <Panel
      title="Drills"
      actions={
        <div className="drl-inline-filter">
          <Select label="Filter by campaign" value={campaign} onChange={(e) => filter(e.target.value)} options={[['', 'All campaigns'], ...campaigns]} />
        </div>
      }
    >
      <LoadState
        loaded={page}
        empty={(p) => p.items.length === 0 && !cursor && (campaign ? `No drills in ${campaign} yet.` : 'No drills yet: submit a scenario above.')}
      >
        {(p) => (
          <>
            <div className="drl-table-wrap" tabIndex={0} role="region" aria-label="Drills, newest first">
              <table className="drl-drills">
                <thead>
                  <tr>
                    <th className="hide-narrow">Created</th>
                    <th>Drill</th>
                    <th>Target</th>
                    <th>Ticket</th>
                    <th>Result</th>
                    <th>Decided at</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((d) => (
                    <tr key={d.id} data-drill={d.id}>
                      <td className="drl-nowrap hide-narrow">{formatTime(d.createdAt)}</td>
                      <td>
                        <strong>{d.name}</strong>
                        <div className="muted drl-small">{d.campaign}</div>
                      </td>
                      <td>
                        {(d.accountExternalId ?? d.accountId) ? (
                          <span className="drl-id">{d.accountExternalId ?? d.accountId}</span>
                        ) : (
                          <span className="muted">hidden until its ticket closes</span>
                        )}{' '}
                        {d.accountTier && <Badge tone={tierTone(d.accountTier)}>{d.accountTier}</Badge>}
                      </td>
                      <td>
                        {d.ticketId ? (
                          <>
                            <code className="drl-id">{d.ticketId}</code>
                            <div className="muted drl-small">{d.ticketState?.replace(/_/g, ' ')}</div>
                          </>
                        ) : d.status === 'scheduled' ? (
                          <span className="muted">starts {formatTime(d.scheduledFor)}</span>
                        ) : (
                          <span className="muted">hidden until it closes</span>
                        )}
                      </td>
                      <td>
                        <DrillResult drill={d} />
                      </td>
                      <td>{stepLabel(d.decidedStep)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="drl-pager">
              <button type="button" className="secondary" disabled={!cursors.length || page.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
                Newer
              </button>
              <button
                type="button"
                className="secondary"
                disabled={!p.nextCursor || page.loading}
                onClick={() => p.nextCursor && setCursors((c) => [...c, p.nextCursor!])}
              >
                Older
              </button>
            </div>
          </>
        )}
      </LoadState>
    </Panel>
  );
}
