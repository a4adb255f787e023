import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface ReportFilter {
  campaign?: string;
  from?: Date;
  to?: Date;
}

export interface OutcomeCounts {
  drills: number;
  passed: number;
  failed: number;
  inconclusive: number;
  undecided: number;
  medianTimeToDecisionMs: number | null;
}

export interface DrillReport {
  filter: { campaign: string | null; from: string | null; to: string | null };
  campaigns: (OutcomeCounts & { campaign: string; byStep: Record<string, { passed: number; failed: number }> })[];
  agents: (OutcomeCounts & { staffId: string; name: string })[];
  approvers: { staffId: string; name: string; approved: number; denied: number }[];
}

const median = (values: number[]): number | null => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
};

interface Row {
  id: string;
  campaign: string;
  status: string;
  outcome: string | null;
  decided_step: string | null;
  time_to_decision_ms: string | null;
  assigned_to: string | null;
  agent_name: string | null;
}

/** Results per campaign, per agent (who worked the ticket) and per approver (who signed), over a date range. */
@Injectable()
export class DrillReportService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(filter: ReportFilter): Promise<DrillReport> {
    const where = ['true'];
    const params: unknown[] = [];
    if (filter.campaign) where.push(`d.campaign = $${params.push(filter.campaign)}`);
    if (filter.from) where.push(`d.created_at >= $${params.push(filter.from)}`);
    if (filter.to) where.push(`d.created_at < $${params.push(filter.to)}`);
    const rows = (await this.dataSource.query(
      `SELECT d.id, d.campaign, d.status, d.outcome, d.decided_step, d.time_to_decision_ms, t.assigned_to, s.name AS agent_name
       FROM drills d LEFT JOIN tickets t ON t.id = d.ticket_id LEFT JOIN staff s ON s.id = t.assigned_to
       WHERE ${where.join(' AND ')} ORDER BY d.created_at`,
      params,
    )) as Row[];
    const signatures = (await this.dataSource.query(
      `SELECT a.approver_id, s.name, a.decision FROM approvals a JOIN drills d ON d.ticket_id = a.ticket_id JOIN staff s ON s.id = a.approver_id
       WHERE ${where.join(' AND ')}`,
      params,
    )) as { approver_id: string; name: string; decision: string }[];

    const count = (group: Row[]): OutcomeCounts => ({
      drills: group.length,
      passed: group.filter((r) => r.outcome === 'passed').length,
      failed: group.filter((r) => r.outcome === 'failed').length,
      inconclusive: group.filter((r) => r.outcome === 'inconclusive').length,
      undecided: group.filter((r) => r.outcome === null).length,
      medianTimeToDecisionMs: median(group.filter((r) => r.time_to_decision_ms !== null).map((r) => Number(r.time_to_decision_ms))),
    });
    const groupBy = <K extends string>(items: Row[], key: (r: Row) => K | null) => {
      const groups = new Map<K, Row[]>();
      for (const item of items) {
        const k = key(item);
        if (k !== null) groups.set(k, [...(groups.get(k) ?? []), item]);
      }
      return groups;
    };

    const campaigns = [...groupBy(rows, (r) => r.campaign)].map(([campaign, group]) => {
      const byStep: Record<string, { passed: number; failed: number }> = {};
      for (const r of group) {
        if (!r.decided_step || (r.outcome !== 'passed' && r.outcome !== 'failed')) continue;
        byStep[r.decided_step] ??= { passed: 0, failed: 0 };
        byStep[r.decided_step][r.outcome] += 1;
      }
      return { campaign, ...count(group), byStep };
    });
    const agents = [...groupBy(rows, (r) => r.assigned_to)].map(([staffId, group]) => ({ staffId, name: group[0].agent_name ?? '', ...count(group) }));
    const approverMap = new Map<string, { staffId: string; name: string; approved: number; denied: number }>();
    for (const s of signatures) {
      const entry = approverMap.get(s.approver_id) ?? { staffId: s.approver_id, name: s.name, approved: 0, denied: 0 };
      if (s.decision === 'approve') entry.approved += 1;
      else entry.denied += 1;
      approverMap.set(s.approver_id, entry);
    }
    return {
      filter: { campaign: filter.campaign ?? null, from: filter.from?.toISOString() ?? null, to: filter.to?.toISOString() ?? null },
      campaigns,
      agents,
      approvers: [...approverMap.values()],
    };
  }

  /** The same report as CSV: one row per campaign, agent and approver. */
  toCsv(report: DrillReport): string {
    const esc = (v: unknown) => {
      const text = v === null || v === undefined ? '' : String(v);
      return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const lines = ['section,id,name,drills,passed,failed,inconclusive,undecided,median_time_to_decision_ms,approved,denied'];
    for (const c of report.campaigns)
      lines.push(
        ['campaign', c.campaign, c.campaign, c.drills, c.passed, c.failed, c.inconclusive, c.undecided, c.medianTimeToDecisionMs, '', ''].map(esc).join(','),
      );
    for (const a of report.agents)
      lines.push(['agent', a.staffId, a.name, a.drills, a.passed, a.failed, a.inconclusive, a.undecided, a.medianTimeToDecisionMs, '', ''].map(esc).join(','));
    for (const a of report.approvers) lines.push(['approver', a.staffId, a.name, '', '', '', '', '', '', a.approved, a.denied].map(esc).join(','));
    return lines.join('\n') + '\n';
  }
}
