import { Clock } from '../../src/common/clock';

/** Real time plus an offset the test moves forward: windows and expiries without sleeping. */
export class FakeClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Runs `work` as if `ms` from now (negative: in the past), then puts the clock back: data aged without sleeping. */
  async shifted<T>(ms: number, work: () => Promise<T>): Promise<T> {
    this.offsetMs += ms;
    try {
      return await work();
    } finally {
      this.offsetMs -= ms;
    }
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
