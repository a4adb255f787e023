import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditActor, actorLabel } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { Conflict, NotFound, Unauthenticated } from '../common/errors';
import { ConnectionError, ScimConnection } from './scim-connection.entity';

const BEARER = /^Bearer ([\x21-\x7e]{16,512})$/;
const KEPT_ERRORS = 10;

export type ConnectionCounter = 'creates' | 'updates' | 'deactivations';

/** Provisioning connections: created by an admin, each with its own bearer secret (SHA-256 stored, shown once). */
@Injectable()
export class ScimConnectionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The one way a connection comes to exist (API and CLI both call it), so the multi-party rule for admin changes
   * can wrap this method alone.
   */
  async create(actor: AuditActor, name: string): Promise<{ connection: ScimConnection; secret: string }> {
    const secret = randomToken('rdscim');
    const connection = await this.dataSource.transaction(async (em) => {
      const row = em.create(ScimConnection, {
        name,
        secretHash: sha256Hex(secret),
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
      await this.audit.record(em, { actor, action: 'scim_connection.created', target: { type: 'scim_connection', id: row.id }, payload: { name } });
      return row;
    });
    return { connection, secret };
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

  list(): Promise<ScimConnection[]> {
    return this.dataSource.getRepository(ScimConnection).find({ order: { createdAt: 'ASC', id: 'ASC' } });
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
