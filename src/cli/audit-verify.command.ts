import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '../audit/audit.service';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../audit/checkpoint-note';
import { startHttpWitness } from '../audit/http-witness-server';

@Command({
  name: 'audit:verify',
  description: 'Recompute the audit log from its events and hold it to every signed checkpoint a witness published; name the first event that does not hold',
})
export class AuditVerifyCommand extends CommandRunner {
  constructor(private readonly audit: AuditService) {
    super();
  }

  async run(_: string[], options: { checkpoints?: string; key?: string }): Promise<void> {
    const verdict = await this.audit.verify(options.checkpoints, options.key ? parseVerifierKey(options.key) : undefined);
    if (verdict.ok) {
      console.log(
        `Audit log intact: ${verdict.checked} events recomputed, consistent with ${verdict.checkpoints} signed checkpoints (the newest covers ${verdict.checkpointSize}); ${verdict.pending} not yet in the tree.`,
      );
      if (verdict.checkpoints === 0) console.log('Warning: no signed checkpoint found, so only the leaf hashes stored in the database were checked.');
      return;
    }
    const where =
      verdict.firstBrokenSeq !== undefined
        ? ` at event ${verdict.firstBrokenSeq}`
        : verdict.firstBrokenLeaf !== undefined
          ? ` at leaf ${verdict.firstBrokenLeaf}`
          : '';
    console.log(`Audit log BROKEN${where}: ${verdict.reason} (${verdict.checked} events before it hold).`);
    process.exitCode = 1;
  }

  @Option({ flags: '--checkpoints <dirOrUrl>', description: 'the witness to hold the log to (default: AUDIT_WITNESS_URL or AUDIT_WITNESS_DIR)' })
  parseCheckpoints(value: string): string {
    return value;
  }

  @Option({ flags: '--key <verifierKey>', description: "the log's note verifier key, name+id+key (default: derived from AUDIT_CHECKPOINT_KEY)" })
  parseKey(value: string): string {
    return value;
  }
}

@Command({ name: 'audit:keygen', description: 'Print a new checkpoint signing key (for AUDIT_CHECKPOINT_KEY) and its verifier key for auditors and witnesses' })
export class AuditKeygenCommand extends CommandRunner {
  run(_: string[], options: { name?: string }): Promise<void> {
    const key = generateSignerKey(options.name ?? 'recovery-desk.localhost/audit');
    console.log(`AUDIT_CHECKPOINT_KEY=${key}`);
    console.log(`verifier key: ${parseSignerKey(key).verifierKey}`);
    return Promise.resolve();
  }

  @Option({ flags: '--name <origin>', description: "the log's name, e.g. recovery-desk.example.com/audit" })
  parseName(value: string): string {
    return value;
  }
}

@Command({
  name: 'audit:witness',
  description:
    'Run an HTTP witness for the audit log: keeps its checkpoints and leaf hashes in a directory, accepting only batches consistent with what it holds',
})
export class AuditWitnessCommand extends CommandRunner {
  async run(_: string[], options: { dir: string; port?: number; key: string }): Promise<void> {
    const server = await startHttpWitness(options.dir, parseVerifierKey(options.key), options.port ?? 8470);
    console.log(`Audit witness for ${options.key.split('+')[0]} listening on port ${options.port ?? 8470}, keeping ${options.dir}`);
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => resolve());
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  }

  @Option({ flags: '--dir <directory>', description: 'where to keep checkpoints and leaves', required: true })
  parseDir(value: string): string {
    return value;
  }

  @Option({ flags: '--port <port>', description: 'HTTP port (default 8470)' })
  parsePort(value: string): number {
    return Number(value);
  }

  @Option({ flags: '--key <verifierKey>', description: "the log's note verifier key (name+id+key)", required: true })
  parseKey(value: string): string {
    return value;
  }
}
