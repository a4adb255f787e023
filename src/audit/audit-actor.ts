/** Who did it: a staff member (any role, including the login application) or the service itself. */
export type AuditActor =
  | { kind: 'staff'; id: string }
  | { kind: 'system' }
  | { kind: 'cli' }
  | { kind: 'subject'; id: string }
  | { kind: 'manager'; id: string };

export const SYSTEM: AuditActor = { kind: 'system' };

/** An operator at the server's command line (npm run cli). */
export const CLI: AuditActor = { kind: 'cli' };
