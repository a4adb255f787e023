import 'reflect-metadata';
import { BackingServiceUnreachable } from '../src/database/prepare';
import { runCodesBench } from './codes.bench';
import { runConsoleBench } from './console.bench';
import { runLoadBench } from './load.bench';
import { runQueueBench } from './queue.bench';
import { formatSummary } from './table';
import { runTicketsBench } from './tickets.bench';

/** Every benchmark by name: `npm run bench -- codes` runs one, `npm run bench` runs them all. */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  codes: runCodesBench,
  tickets: runTicketsBench,
  queue: runQueueBench,
  load: runLoadBench,
  console: runConsoleBench,
};

async function main(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.join(', ')}; the benchmarks are: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const selected = names.length ? names : Object.keys(BENCHMARKS);
  for (const name of selected) await BENCHMARKS[name]();
  if (selected.length > 1) console.log(`\nEvery figure, one table (${selected.join(', ')}):\n\n${formatSummary()}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof BackingServiceUnreachable ? error.message : error);
  process.exitCode = 1;
});
