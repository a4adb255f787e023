import { performance } from 'node:perf_hooks';

/** What one call answered, and the milliseconds it took by the monotonic clock. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

export async function timeMs(run: () => Promise<unknown>): Promise<number> {
  return (await timed(run)).ms;
}

/**
 * `count` samples, one after another. Each call does its own untimed set-up and
 * returns the milliseconds of the part it timed (usually through timeMs).
 */
export async function collect(count: number, sampleOnce: (index: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) samples.push(await sampleOnce(i));
  return samples;
}

/** The p-th percentile (0–100), interpolating between the two nearest ranks. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export const median = (samples: number[]) => percentile(samples, 50);
