import { cpus, loadavg, platform, release } from 'node:os';

/** A plain-text table: the first column left-aligned, the figures right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ');
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const perSecond = (value: number) => `${value.toFixed(0)} /s`;
export const times = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)}×`;

/** What the figures were measured on: they mean little without it. Call it before the work starts. */
export function describeMachine(): string {
  const cores = cpus();
  return [
    `machine: ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} cores, ${platform()} ${release()}`,
    `node ${process.version}, libuv pool ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'} threads, ${describeLoad('at start')}`,
  ].join('\n');
}

/** Other work on the machine skews every figure (the concurrent hashing most): the 1-minute load average says how much. */
export const describeLoad = (when: string) => `load average ${loadavg()[0].toFixed(2)} ${when}`;

/** Every benchmark's main figures, gathered for the one summary table `npm run bench` ends with. */
const summary: string[][] = [];

/** formatTable for a benchmark's main table, remembering its rows (and what its columns mean) for the summary. */
export function summaryTable(benchmark: string, header: string[], rows: string[][]): string {
  for (const row of rows) summary.push([benchmark, row[0], row[1], row[2], `${row[3]} (${header[3]})`]);
  return formatTable(header, rows);
}

export function formatSummary(): string {
  return formatTable(['benchmark', 'measure', 'ours', 'baseline', 'ratio'], summary);
}
