/** Every queue and job name, in one place. Job data holds ids only, never a secret. */
export const QUEUE = {
  auditChecks: 'audit-checks',
  notifications: 'notifications',
  sweep: 'sweep',
  codes: 'codes',
} as const;

export const JOB = {
  verifyAuditChain: 'verify-audit-chain',
  deliverNotification: 'deliver-notification',
  sweep: 'sweep',
  regenerate: 'regenerate',
} as const;
