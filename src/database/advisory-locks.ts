/**
 * Every PostgreSQL advisory lock key the service uses, by purpose, in one place so that no two purposes share one: a
 * shared key couples them (a first start would wait on the audit sequencer's batch, a policy record on another
 * process's migrations). The sequencer's and the migrations' values are the ones earlier versions used, so a process
 * of an earlier version that holds one during an upgrade still excludes this one.
 */
export const ADVISORY_LOCK = {
  /** Session-level, per batch: the one process integrating the audit log into its tree and publishing checkpoints. */
  auditSequencer: 0x52440002,
  /** Session-level, while migrations run at start. */
  migrations: 0x52440003,
  /** Transaction-level: the first start's admin, created once. */
  firstAdmin: 0x52440004,
  /** Transaction-level: the policy a start records in the audit log, recorded once. */
  policyHistory: 0x52440005,
} as const;
