import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';

/**
 * Named fault points for crash and failure tests (NODE_ENV=test only). FAULT_PAUSE=point:ms makes the process wait
 * there so a test can kill it at that moment, e.g. after hashing a new set and before committing it; failNext makes
 * the next passes through a point throw, so a real job fails there as a real fault would.
 */
@Injectable()
export class FaultInjection {
  private readonly logger = new Logger(FaultInjection.name);
  private readonly point?: string;
  private readonly ms: number = 0;
  private readonly failures = new Map<string, number>();
  private readonly testing: boolean;

  constructor(config: ConfigService<Env, true>) {
    this.testing = config.get('NODE_ENV', { infer: true }) === 'test';
    const setting = config.get('FAULT_PAUSE', { infer: true });
    if (setting) {
      const [point, ms] = setting.split(':');
      this.point = point;
      this.ms = Number(ms);
    }
  }

  /** The next `times` passes through `point` throw. Tests only: refused outside NODE_ENV=test. */
  failNext(point: string, times: number): void {
    if (!this.testing) throw new Error('fault injection is for tests only (NODE_ENV=test)');
    this.failures.set(point, times);
  }

  async pauseAt(point: string): Promise<void> {
    const failuresLeft = this.failures.get(point) ?? 0;
    if (failuresLeft > 0) {
      this.failures.set(point, failuresLeft - 1);
      throw new Error(`fault injection: failing at ${point}`);
    }
    if (point !== this.point) return;
    this.logger.warn({ point, ms: this.ms }, 'fault injection: pausing');
    // Printed for the test that waits for this moment to kill the process.
    console.log(`FAULT_PAUSE reached ${point}`);
    await new Promise((resolve) => setTimeout(resolve, this.ms));
  }
}
