import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SYSTEM } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Policy } from '../config/policy';
import { ADVISORY_LOCK } from '../database/advisory-locks';
import { Notifier } from '../notifications/notifier';

/** A setting of the policy by its dotted path (arrays are one setting); values as JSON has them. */
type Settings = Record<string, unknown>;

export interface PolicyChange {
  path: string;
  before: unknown;
  after: unknown;
}

export type PolicyAtStart = { kind: 'first' } | { kind: 'unchanged' } | { kind: 'changed'; changes: PolicyChange[] };

/** Every leaf of the policy by its dotted path. Paths are the payload's keys: no key of the policy is one alone. */
export function flattenPolicy(value: unknown, path = '', into: Settings = {}): Settings {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) flattenPolicy(child, path ? `${path}.${key}` : key, into);
  } else {
    into[path] = value;
  }
  return into;
}

/** What differs between two flattened policies, by path, in path order (absent: null). */
export function policyChanges(before: Settings, after: Settings): PolicyChange[] {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return paths
    .filter((path) => JSON.stringify(before[path]) !== JSON.stringify(after[path]))
    .map((path) => ({ path, before: before[path] ?? null, after: after[path] ?? null }));
}

/** One line: each changed setting with its value before and after. */
export const describeChanges = (changes: PolicyChange[]): string =>
  changes.map((c) => `${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join('; ');

/**
 * The policy file is deployment configuration, outside any admin token's reach; but whoever can edit the server's
 * files could switch off the second admin, loosen the lockout or drop a proofing step. So every process records the
 * policy it starts with in the audit log (`policy.applied`) when it differs from the last one recorded there, with what
 * changed, and tells the security contact: the change cannot be made quietly, and the log, witnessed outside the
 * database, keeps it.
 */
@Injectable()
export class PolicyHistory {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly notifier: Notifier,
    private readonly policy: Policy,
  ) {}

  /** Several processes may start at once with the same file: the advisory lock makes one of them record it. */
  recordAtStart(): Promise<PolicyAtStart> {
    const settings = flattenPolicy(JSON.parse(JSON.stringify(this.policy)));
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK.policyHistory]);
      const [last] = (await em.query(`SELECT payload FROM audit_events WHERE action = 'policy.applied' ORDER BY seq DESC LIMIT 1`)) as {
        payload: { settings: Settings };
      }[];
      const changes = last ? policyChanges(last.payload.settings, settings) : [];
      if (last && changes.length === 0) return { kind: 'unchanged' } as const;
      const event = await this.audit.record(em, {
        actor: SYSTEM,
        action: 'policy.applied',
        target: { type: 'policy', id: null },
        payload: { settings, changes },
      });
      if (!last) return { kind: 'first' } as const;
      await this.notifier.toSecurity(em, 'security.policy_changed', { changes: describeChanges(changes) }, `policy.applied:${event.seq}`);
      return { kind: 'changed', changes } as const;
    });
  }
}
