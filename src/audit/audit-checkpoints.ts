import { Injectable } from '@nestjs/common';
import { AuditLogDiverged, NotFound } from '../common/errors';
import { AuditLogKeys } from './audit-log-keys';
import { AuditSequencer } from './audit-sequencer';
import { AuditService } from './audit.service';
import { openCheckpoint } from './checkpoint-note';
import type { CheckpointDto } from './dto/audit.dto';

/** Checkpoints for auditors: the newest one the witness holds, or a fresh one on demand. */
@Injectable()
export class AuditCheckpoints {
  constructor(
    private readonly audit: AuditService,
    private readonly sequencer: AuditSequencer,
    private readonly keys: AuditLogKeys,
  ) {}

  async latest(): Promise<CheckpointDto> {
    const note = await this.audit.latestCheckpoint();
    if (!note) throw new NotFound('audit checkpoint', 'newest');
    return this.describe(note);
  }

  /** Queues behind any round in progress, integrates what has committed, signs and publishes. */
  async publishNow(): Promise<CheckpointDto> {
    const round = await this.sequencer.runRound({ publishNow: true, wait: true });
    if (round?.refused) throw new AuditLogDiverged(`no checkpoint signed: ${round.refused}; run audit:verify`);
    if (!round?.checkpoint) throw new NotFound('audit checkpoint', 'new');
    return this.describe(round.checkpoint);
  }

  private describe(note: string): CheckpointDto {
    const opened = openCheckpoint(note, this.keys.verifier);
    if (!opened.ok) throw new Error(`the witness's newest checkpoint does not open with our key: ${opened.reason}`);
    const { head } = opened;
    return {
      checkpoint: note,
      origin: head.origin,
      size: head.size,
      rootHash: head.root.toString('base64'),
      time: head.time.toISOString(),
      verifierKey: this.keys.signer.verifierKey,
    };
  }
}
