import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditActor, actorLabel, CLI } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { ChangeGate, Gated, Proposal } from '../change-requests/change-gate';
import { ChangeRequest } from '../change-requests/change-request.entity';
import { scimConnectionRules } from '../change-requests/sensitive-changes';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { Conflict, Forbidden, Gone, NotFound, Unauthenticated } from '../common/errors';
import { Policy } from '../config/policy';
import { updateReturning } from '../database/sql';
import type { Staff } from '../staff/staff.entity';
import { ConnectionError, ScimConnection } from './scim-connection.entity';

const BEARER = /^Bearer ([\x21-\x7e]{16,512})$/;
const KEPT_ERRORS = 10;

/** Where a connection is created once two admins exist (the CLI's refusal says so). */
export const CREATE_WITH_SECOND_ADMIN =
  'create the connection in the console (Directory) or with POST /v1/scim-connections; another admin approves it, and the requester then fetches its secret once';

export interface IssuedConnection {
  connection: ScimConnection;
  secret: string;
}

export type ConnectionCounter = 'creates' | 'updates' | 'deactivations';

/** Provisioning connections: created by an admin, each with its own bearer secret (SHA-256 stored, shown once). */
@Injectable()
export class ScimConnectionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly gate: ChangeGate,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  /**
   * An admin creates a connection: at once (bootstrap, or the rule switched off), the secret in the answer; or a
   * change request. An approved request creates the connection without a secret, and the requester then fetches the
   * secret once (issueSecret): no secret is ever kept in a change request, in plain or otherwise.
   */
  requestCreate(admin: Staff, name: string, reason?: string | null): Promise<Gated<IssuedConnection>> {
    return this.dataSource.transaction(async (em) => {
      const pending = await this.gate.admit(em, admin, { ...this.proposal(name), reason });
      return pending ? { pending } : { applied: await this.createIn(em, { kind: 'staff', id: admin.id }, name) };
    });
  }

  /** The command line: only while multi-party approval is off (nobody could review), and security hears of it. */
  createAtCommandLine(name: string): Promise<IssuedConnection> {
    return this.dataSource.transaction(async (em) => {
      await this.gate.admitUnreviewed(em, actorLabel(CLI), this.proposal(name), 'scim:connection-create', CREATE_WITH_SECOND_ADMIN);
      return this.createIn(em, CLI, name);
    });
  }

  /** Carries out an approved creation: the connection exists, without a secret until its requester fetches it. */
  async applyRequested(em: EntityManager, request: ChangeRequest): Promise<string | undefined> {
    await this.insert(em, { kind: 'staff', id: request.requestedBy }, request.after.name as string, null, request.id);
    return undefined;
  }

  /** The requester of an approved connection fetches its secret: once (a conditional update), and nobody else. */
  issueSecret(admin: Staff, id: string): Promise<IssuedConnection> {
    return this.dataSource.transaction(async (em) => {
      const connection = await em.findOne(ScimConnection, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!connection) throw new NotFound('SCIM connection', id);
      const actor: AuditActor = { kind: 'staff', id: admin.id };
      if (connection.createdBy !== actorLabel(actor)) throw new Forbidden('only the admin who asked for this connection fetches its secret');
      if (connection.revokedAt) throw new Conflict('this SCIM connection is revoked');
      const secret = randomToken('rdscim');
      const issued = await updateReturning(em, `UPDATE scim_connections SET secret_hash = $2 WHERE id = $1 AND secret_hash IS NULL RETURNING id`, [
        id,
        sha256Hex(secret),
      ]);
      if (issued.length === 0) throw new Gone('the secret of this connection was shown once already: revoke the connection and create another if it was lost');
      await this.audit.record(em, {
        actor,
        action: 'scim_connection.secret_issued',
        target: { type: 'scim_connection', id },
        payload: { name: connection.name },
      });
      return { connection, secret };
    });
  }

  private proposal(name: string): Proposal {
    return {
      kind: 'scim_connection.create',
      // A new connection has no id yet: its name is the target, so two requests for one name cannot both wait.
      target: { type: 'scim_connection', id: `new:${name}` },
      sensitive: scimConnectionRules(this.policy.changeApproval.sensitive),
      before: {},
      after: { name, secret: 'fetched once by the requester after approval' },
    };
  }

  private async createIn(em: EntityManager, actor: AuditActor, name: string): Promise<IssuedConnection> {
    const secret = randomToken('rdscim');
    return { connection: await this.insert(em, actor, name, sha256Hex(secret)), secret };
  }

  private async insert(em: EntityManager, actor: AuditActor, name: string, secretHash: string | null, changeRequestId?: string): Promise<ScimConnection> {
    const row = em.create(ScimConnection, {
      name,
      secretHash,
      createdBy: actorLabel(actor),
      createdAt: this.clock.now(),
      revokedAt: null,
      revokedBy: null,
      lastRequestAt: null,
      requests: 0,
      creates: 0,
      updates: 0,
      deactivations: 0,
      errors: 0,
      lastErrors: [],
    });
    await em.insert(ScimConnection, row);
    await this.audit.record(em, {
      actor,
      action: 'scim_connection.created',
      target: { type: 'scim_connection', id: row.id },
      payload: { name, ...(changeRequestId && { changeRequestId }) },
    });
    return row;
  }

  async revoke(actor: AuditActor, id: string): Promise<ScimConnection> {
    return this.dataSource.transaction(async (em) => {
      const connection = await em.findOne(ScimConnection, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!connection) throw new NotFound('SCIM connection', id);
      if (connection.revokedAt) throw new Conflict('this SCIM connection is already revoked');
      connection.revokedAt = this.clock.now();
      connection.revokedBy = actorLabel(actor);
      await em.update(ScimConnection, { id }, { revokedAt: connection.revokedAt, revokedBy: connection.revokedBy });
      await this.audit.record(em, { actor, action: 'scim_connection.revoked', target: { type: 'scim_connection', id }, payload: { name: connection.name } });
      return connection;
    });
  }

  /** With whether each has its secret yet (never the hash itself: the DTO reads only whether there is one). */
  list(): Promise<ScimConnection[]> {
    return this.dataSource.getRepository(ScimConnection).createQueryBuilder('c').addSelect('c.secretHash').orderBy('c.created_at').addOrderBy('c.id').getMany();
  }

  async authenticate(header: string | undefined): Promise<ScimConnection> {
    const match = header ? BEARER.exec(header) : null;
    if (!match) throw new Unauthenticated('send Authorization: Bearer <SCIM connection secret>');
    const connection = await this.dataSource.getRepository(ScimConnection).findOneBy({ secretHash: sha256Hex(match[1]) });
    if (!connection || connection.revokedAt) throw new Unauthenticated('unknown or revoked SCIM connection secret');
    return connection;
  }

  /** Counts a change in the transaction that made it. */
  async count(em: EntityManager, connectionId: string, counter: ConnectionCounter): Promise<void> {
    await em.query(`UPDATE scim_connections SET ${counter} = ${counter} + 1 WHERE id = $1`, [connectionId]);
  }

  /** Every request: the last request time, and for a refusal the error (the last few kept for the admin view). */
  async recordRequest(em: EntityManager, connectionId: string, error: Omit<ConnectionError, 'at'> | null): Promise<void> {
    const now = this.clock.now();
    if (!error) {
      await em.query(`UPDATE scim_connections SET last_request_at = $2, requests = requests + 1 WHERE id = $1`, [connectionId, now]);
      return;
    }
    const entry: ConnectionError = { at: now.toISOString(), ...error };
    await em.query(
      `UPDATE scim_connections SET last_request_at = $2, requests = requests + 1, errors = errors + 1,
         last_errors = (SELECT COALESCE(jsonb_agg(e), '[]') FROM (SELECT e FROM jsonb_array_elements($3::jsonb || last_errors) e LIMIT ${KEPT_ERRORS}) x)
       WHERE id = $1`,
      [connectionId, now, JSON.stringify([entry])],
    );
  }
}
