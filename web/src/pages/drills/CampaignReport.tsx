import { useState, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNote, Field, formatDuration, LoadState, Panel, Select } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-load';
import { saveFile } from '../../components/save-file';
import { FunnelChart } from './FunnelChart';
import { combine, funnelOf, passRate, type Funnel } from './funnel';

type Report = Schemas['DrillReportDto'];
type ReportQuery = { campaign?: string; from?: string; to?: string };

/** Dates are picked in the browser's time zone; "to" includes its whole day (the service's `to` is exclusive). */
function reportQuery(campaign: string, from: string, to: string): ReportQuery {
  const midnight = (day: string, plusDays = 0) => {
    const date = new Date(`${day}T00:00:00`);
    date.setDate(date.getDate() + plusDays);
    return date.toISOString();
  };
  return { campaign: campaign || undefined, from: from ? midnight(from) : undefined, to: to ? midnight(to, 1) : undefined };
}

function csvFileName(campaign: string, from: string, to: string): string {
  const slug = (campaign || 'all-campaigns')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return ['drill-report', slug, from && `from-${from}`, to && `to-${to}`].filter(Boolean).join('-') + '.csv';
}

/** The JSON report (the route also answers text/csv, so the generated type is a union). */
export async function fetchReport(query: ReportQuery = {}): Promise<Report> {
  return (await unwrap(api.GET('/v1/drills/report', { params: { query: { ...query, format: 'json' } } }))) as Report;
}

/** The CSV comes through the API client (the token stays in the Authorization header, never in a URL), then is saved from a Blob. */
async function downloadCsv(query: ReportQuery, fileName: string): Promise<void> {
  const blob = await unwrap(api.GET('/v1/drills/report', { params: { query: { ...query, format: 'csv' } }, parseAs: 'blob' }));
  saveFile(blob, fileName);
}

const duration = (ms: number | null) => (ms === null ? '—' : ms < 60_000 ? `${Math.round(ms / 1000)} s` : formatDuration(ms));

interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
}

function ResultTable<T>({
  title,
  rows,
  columns,
  rowKey,
  empty,
}: {
  title: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  empty: string;
}) {
  return (
    <section className="drl-report-section">
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="drl-table-wrap" tabIndex={0} role="region" aria-label={title}>
          <table>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.header} className={c.numeric ? 'drl-num' : undefined}>
                    {c.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((c) => (
                    <td key={c.header} className={c.numeric ? 'drl-num' : undefined}>
                      {c.cell(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type Counts = Report['agents'][number];
const outcomeColumns = <T extends Omit<Counts, 'staffId' | 'name'>>(): Column<T>[] => [
  { header: 'Drills', cell: (r) => r.drills, numeric: true },
  { header: 'Stopped', cell: (r) => r.passed, numeric: true },
  { header: 'Got through', cell: (r) => r.failed, numeric: true },
  { header: 'Inconclusive', cell: (r) => r.inconclusive, numeric: true },
  { header: 'Undecided', cell: (r) => r.undecided, numeric: true },
  { header: 'Pass rate', cell: (r) => passRate(r.passed, r.failed), numeric: true },
  { header: 'Median time to decision', cell: (r) => duration(r.medianTimeToDecisionMs), numeric: true },
];

function FunnelSection({ funnel, scope }: { funnel: Funnel; scope: string }) {
  return (
    <section className="drl-report-section">
      <h3>Where drills were stopped or got through</h3>
      {funnel.scored === 0 ? (
        <p className="muted">No drill in {scope} has been decided yet: the funnel appears once staff stop one or let one through.</p>
      ) : (
        <>
          <ul className="drl-legend" aria-label="Legend">
            <li>
              <span className="drl-swatch drl-swatch-go" /> went on
            </li>
            <li>
              <span className="drl-swatch drl-swatch-stopped" /> stopped here (passed)
            </li>
            <li>
              <span className="drl-swatch drl-swatch-through" /> got through here (failed)
            </li>
          </ul>
          <div className="drl-funnel">
            <FunnelChart funnel={funnel} scope={scope} />
            <ResultTable
              title="Funnel data"
              rows={funnel.stages}
              rowKey={(s) => s.key}
              empty=""
              columns={[
                { header: 'Stage', cell: (s) => s.label },
                { header: 'Reached', cell: (s) => s.reached, numeric: true },
                { header: 'Stopped', cell: (s) => s.stopped, numeric: true },
                { header: 'Got through', cell: (s) => s.gotThrough, numeric: true },
              ]}
            />
          </div>
          <p className="muted drl-small">
            Stages in policy order, then the agent’s own call, then approval. A drill counts as reaching a stage when no earlier stage decided it.
          </p>
        </>
      )}
    </section>
  );
}

function ReportBody({ report, scope }: { report: Report; scope: string }) {
  return (
    <>
      <FunnelSection funnel={funnelOf(combine(report.campaigns))} scope={scope} />
      <ResultTable
        title="Per campaign"
        rows={report.campaigns}
        rowKey={(c) => c.campaign}
        empty="No campaign in this range."
        columns={[{ header: 'Campaign', cell: (c) => c.campaign }, ...outcomeColumns<Report['campaigns'][number]>()]}
      />
      <ResultTable
        title="Per agent"
        rows={report.agents}
        rowKey={(a) => a.staffId}
        empty="No agent has worked a drill ticket in this selection."
        columns={[{ header: 'Agent', cell: (a) => a.name || a.staffId }, ...outcomeColumns<Counts>()]}
      />
      <ResultTable
        title="Per approver"
        rows={report.approvers}
        rowKey={(a) => a.staffId}
        empty="No approver has signed a drill ticket in this selection."
        columns={[
          { header: 'Approver', cell: (a) => a.name || a.staffId },
          { header: 'Denied (stopped)', cell: (a) => a.denied, numeric: true },
          { header: 'Approved (got through)', cell: (a) => a.approved, numeric: true },
          { header: 'Pass rate', cell: (a) => passRate(a.denied, a.approved), numeric: true },
        ]}
      />
    </>
  );
}

/** GET /v1/drills/report for a campaign and date range: funnel, tables, and the same report as CSV. */
export function CampaignReport({ campaigns, version }: { campaigns: string[]; version: number }) {
  const [campaign, setCampaign] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const rangeError = from && to && to < from ? 'must not be before From' : undefined;
  const query = reportQuery(campaign, from, to);
  const report = useLoad(async () => (rangeError ? null : fetchReport(query)), [campaign, from, to, version]);
  const download = useAction(() => downloadCsv(query, csvFileName(campaign, from, to)));
  const scope = campaign || 'all campaigns';

  return (
    <Panel
      title="Campaign report"
      actions={
        <button type="button" className="secondary" onClick={() => void download.run()} disabled={download.busy || Boolean(rangeError)}>
          {download.busy ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      }
    >
      <div className="drl-report-filters">
        <Select label="Campaign" value={campaign} onChange={(e) => setCampaign(e.target.value)} options={[['', 'All campaigns'], ...campaigns]} />
        <Field label="From" type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        <Field label="To (inclusive)" type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} error={rangeError} />
      </div>
      <ErrorNote error={download.error} />
      <LoadState loaded={report} empty={(r) => r !== null && r.campaigns.length === 0 && `No drills in ${scope}${from || to ? ' in this date range' : ''}.`}>
        {(r) => r && <ReportBody report={r} scope={scope} />}
      </LoadState>
    </Panel>
  );
}
