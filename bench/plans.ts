import type { Client } from 'pg';
import type { DataSource, Logger } from 'typeorm';

/** A statement exactly as the app sent it to PostgreSQL. */
export interface CapturedQuery {
  sql: string;
  parameters: unknown[];
}

/**
 * Every statement the app's DataSource sends while `run` runs, read from
 * TypeORM's logger hook (called for each query whatever the log level), so the
 * plans below are of the service's own SQL, not of a copy that could drift.
 */
export async function captureQueries(dataSource: DataSource, run: () => Promise<unknown>): Promise<CapturedQuery[]> {
  const logger: Logger = dataSource.logger;
  const hadOwn = Object.prototype.hasOwnProperty.call(logger, 'logQuery');
  const original = logger.logQuery;
  const captured: CapturedQuery[] = [];
  logger.logQuery = function (this: Logger, query, parameters, queryRunner) {
    captured.push({ sql: query, parameters: parameters ?? [] });
    return original.call(this, query, parameters, queryRunner);
  };
  try {
    await run();
  } finally {
    if (hadOwn) logger.logQuery = original;
    else delete (logger as Partial<Logger>).logQuery;
  }
  return captured;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  'Rows Removed by Filter'?: number;
  'Actual Rows'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  /** Each node that reads a relation: `Index Scan using x on tickets`, `Seq Scan on tickets` … */
  scans: string[];
  /** Every index any node used. */
  indexes: string[];
  /** Reads a relation, and every relation it reads is read through an index. */
  usesIndex: boolean;
  /** Conditions the scans applied as filters (rows read and thrown away), not as index bounds. */
  filters: string[];
  removedByFilter: number;
  rows: number;
  buffers: number;
  /** Planning plus execution: the service's statements are planned each time they run (unnamed, with parameters). */
  ms: number;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of a captured statement with its own parameters,
 * `runs` times, each inside a transaction that is rolled back (take-next's
 * SELECT … FOR UPDATE really locks the row it finds; an UPDATE really updates).
 */
export async function explain(client: Client, query: CapturedQuery, runs = 5): Promise<PlanSummary> {
  const plans: PlanSummary[] = [];
  for (let i = 0; i < runs; i += 1) plans.push(await explainOnce(client, query));
  // One run is at the mercy of the machine's other work: the run of median time, with its own plan and buffers.
  return [...plans].sort((a, b) => a.ms - b.ms)[Math.floor(runs / 2)];
}

async function explainOnce(client: Client, query: CapturedQuery): Promise<PlanSummary> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`, query.parameters);
    const [result] = rows[0]['QUERY PLAN'] as { Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }[];
    const nodes: PlanNode[] = [];
    const walk = (node: PlanNode) => {
      nodes.push(node);
      node.Plans?.forEach(walk);
    };
    walk(result.Plan);
    // ModifyTable names the table it writes; the scan beneath it is what finds the rows.
    const reading = nodes.filter((n) => n['Relation Name'] && n['Node Type'] !== 'ModifyTable');
    return {
      scans: reading.map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''} on ${n['Relation Name']}`),
      indexes: [...new Set(nodes.flatMap((n) => n['Index Name'] ?? []))],
      usesIndex: reading.length > 0 && reading.every((n) => n['Index Name'] !== undefined || n['Node Type'] === 'Bitmap Heap Scan'),
      filters: reading.filter((n) => n.Filter).map((n) => n.Filter!),
      removedByFilter: reading.reduce((sum, n) => sum + (n['Rows Removed by Filter'] ?? 0), 0),
      rows: result.Plan['Actual Rows'] ?? 0,
      buffers: (result.Plan['Shared Hit Blocks'] ?? 0) + (result.Plan['Shared Read Blocks'] ?? 0),
      ms: result['Planning Time'] + result['Execution Time'],
    };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** Statements worth a plan: reads and updates (not transaction control, inserts into the append-only trail, or lock calls). */
export const explainable = (query: CapturedQuery) => /^\s*(SELECT|UPDATE|WITH)\b/i.test(query.sql) && !/pg_advisory/i.test(query.sql);

/** Whether it used an index, which, and what it cost. */
export function describePlan(plan: PlanSummary): string {
  const verdict = plan.usesIndex ? 'index' : 'NO INDEX';
  const filter = plan.filters.length ? `, filter ${plan.filters.join(' and ')} dropped ${plan.removedByFilter} rows` : '';
  return `${verdict}: ${describeScans(plan)}${filter}; ${plan.rows} rows, ${plan.ms.toFixed(2)} ms, ${plan.buffers} buffers`;
}

export const describeScans = (plan: PlanSummary) => [...new Set(plan.scans)].join(' + ');
