import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';

/**
 * Named pause points for crash tests (FAULT_PAUSE=point:ms, NODE_ENV=test
 * only): the process waits there so a test can kill it at that moment, e.g.
 * after hashing a new set and before committing it.
 */
@Injectable()
export class FaultInjection {
  private readonly logger = new Logger(FaultInjection.name);
  private readonly point?: string;
  private readonly ms: number = 0;

  constructor(config: ConfigService<Env, true>) {
    const setting = config.get('FAULT_PAUSE', { infer: true });
    if (setting) {
      const [point, ms] = setting.split(':');
      this.point = point;
      this.ms = Number(ms);
    }
  }

  async pauseAt(point: string): Promise<void> {
    if (point !== this.point) return;
    this.logger.warn({ point, ms: this.ms }, 'fault injection: pausing');
    // Printed for the test that waits for this moment to kill the process.
    console.log(`FAULT_PAUSE reached ${point}`);
    await new Promise((resolve) => setTimeout(resolve, this.ms));
  }
}
