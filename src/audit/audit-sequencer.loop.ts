import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';
import { MetricsService } from '../metrics/metrics.service';
import { AuditSequencer } from './audit-sequencer';

/**
 * Runs the sequencer in every worker process; the advisory lock lets one at a
 * time through, so the others are standbys that take over within one interval
 * when the leader dies.
 */
@Injectable()
export class AuditSequencerLoop implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditSequencerLoop.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly sequencer: AuditSequencer,
    private readonly config: ConfigService<Env, true>,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.get('AUDIT_SEQUENCER_INTERVAL_MS', { infer: true });
    this.timer = setInterval(() => {
      this.running ??= this.round().finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<void> {
    try {
      const round = await this.sequencer.runRound();
      if (round?.integrated) this.logger.debug({ integrated: round.integrated, size: round.size }, 'audit events integrated');
      if (round?.checkpoint) this.metrics.auditTreeSize.set(round.size);
    } catch (error) {
      this.logger.error({ err: error }, 'audit sequencer round failed');
    }
  }
}
