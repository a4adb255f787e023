import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { MetricsService } from '../metrics/metrics.service';
import { keepScheduled } from '../queue/keep-scheduled';
import { JOB, QUEUE } from '../queue/queues';
import { AuditService } from './audit.service';
import { LogVerdict } from './log-check';

const HOURLY = 3_600_000;

/**
 * Re-verifies the whole audit log against its published checkpoints every hour, so tampering is noticed without
 * anyone having to ask: a log that does not hold is logged as an error and shows as
 * `audit_chain_intact 0` in the metrics. One job id per period across all workers.
 */
@Processor(QUEUE.auditChecks)
export class AuditChainCheckProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private schedule?: { stop: () => void };
  private readonly logger = new Logger(AuditChainCheckProcessor.name);

  constructor(
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    @InjectQueue(QUEUE.auditChecks) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const schedule = keepScheduled(this.queue, 'audit-chain-hourly', HOURLY, { name: JOB.verifyAuditChain, opts: { removeOnComplete: 50, removeOnFail: 50 } });
    this.schedule = schedule;
    await schedule.ready;
  }

  onModuleDestroy(): void {
    this.schedule?.stop();
  }

  async process(): Promise<LogVerdict> {
    const verdict = await this.audit.verify();
    this.metrics.auditChainIntact.set(verdict.ok ? 1 : 0);
    if (verdict.ok) this.logger.log({ checked: verdict.checked, checkpoints: verdict.checkpoints }, 'audit log holds to its checkpoints');
    else this.logger.error({ firstBrokenSeq: verdict.firstBrokenSeq, firstBrokenLeaf: verdict.firstBrokenLeaf, reason: verdict.reason }, 'audit log BROKEN');
    return verdict;
  }
}
