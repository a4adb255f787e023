/** Who did it: a staff member (any role, including the login application) or the service itself. */
export type AuditActor =
  | { kind: 'staff'; id: string }
  | { kind: 'system' }
  | { kind: 'cli' }
  | { kind: 'subject'; id: string }
  | { kind: 'manager'; id: string }
  /** A directory provisioning over SCIM, by its connection (src/scim/). */
  | { kind: 'directory'; id: string };

export const SYSTEM: AuditActor = { kind: 'system' };

/** An operator at the server's command line (npm run cli). */
export const CLI: AuditActor = { kind: 'cli' };

/** The actor as one short string, for columns such as issued_by and revoked_by. */
export function actorLabel(actor: AuditActor): string {
  return 'id' in actor ? `${actor.kind}:${actor.id}` : actor.kind;
}
