import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';
import { NoteSigner, NoteVerifier, parseSignerKey, parseVerifierKey } from './checkpoint-note';
import { openWitness, Witness } from './witness';

/** The log's signing key and its witness, from config: what PostgreSQL never holds. */
@Injectable()
export class AuditLogKeys {
  readonly signer: NoteSigner;
  readonly verifier: NoteVerifier;
  readonly witness: Witness;
  readonly witnessSource: string;

  constructor(config: ConfigService<Env, true>) {
    this.signer = parseSignerKey(config.get('AUDIT_CHECKPOINT_KEY', { infer: true }));
    this.verifier = parseVerifierKey(this.signer.verifierKey);
    this.witnessSource = config.get('AUDIT_WITNESS_URL', { infer: true }) ?? config.get('AUDIT_WITNESS_DIR', { infer: true });
    this.witness = openWitness(this.witnessSource);
  }

  /** The log's name, the first line of every checkpoint. */
  get origin(): string {
    return this.signer.name;
  }
}
