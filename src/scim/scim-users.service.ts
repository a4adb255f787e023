import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AccountChanges, AccountsService, changedKeys } from '../accounts/accounts.service';
import { AuditActor } from '../audit/audit-actor';
import { Clock } from '../common/clock';
import { AlreadyExists, NotFound } from '../common/errors';
import { Policy } from '../config/policy';
import { DirectoryUser } from './directory-user.entity';
import { ScimConnection } from './scim-connection.entity';
import { ScimConnectionsService } from './scim-connections.service';
import { VersionMismatch } from './scim-errors';
import { filterToSql } from './scim-filter';
import { applyPatch } from './scim-patch';
import { DirectoryRecord, readScimUser, tierFor, toScimUser } from './scim-user';

type Json = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_PAGE = 200;

export interface UserPage {
  totalResults: number;
  startIndex: number;
  resources: Json[];
}

const actorOf = (connection: ScimConnection): AuditActor => ({ kind: 'directory', id: connection.id });

/**
 * The SCIM Users store over accounts. Every write reads the whole desired user (POST/PUT body, or the current
 * user with the PATCH applied), checks all of it, then applies it in one transaction through the one
 * account-change method (AccountsService.updateIn): nothing is half-written.
 */
@Injectable()
export class ScimUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly connections: ScimConnectionsService,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  async list(baseUrl: string, filter: string | undefined, startIndex: number, count: number): Promise<UserPage> {
    const { where, params } = filter?.trim() ? filterToSql(filter) : { where: 'true', params: [] as unknown[] };
    const from = `FROM accounts a LEFT JOIN directory_users d ON d.account_id = a.id WHERE ${where}`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total ${from}`, params)) as { total: number }[];
    const ids =
      count === 0
        ? []
        : ((await this.dataSource.query(`SELECT a.id ${from} ORDER BY a.created_at, a.id OFFSET $${params.length + 1} LIMIT $${params.length + 2}`, [
            ...params,
            startIndex - 1,
            count,
          ])) as { id: string }[]);
    const resources: Json[] = [];
    for (const { id } of ids) resources.push(await this.get(baseUrl, id));
    return { totalResults: total, startIndex, resources };
  }

  async get(baseUrl: string, id: string, em: EntityManager = this.dataSource.manager): Promise<Json> {
    const { account, directory } = await this.load(em, id, false);
    return toScimUser(account, directory, this.policy.directory, baseUrl);
  }

  async create(connection: ScimConnection, baseUrl: string, body: unknown): Promise<Json> {
    const record = readScimUser(body, this.policy.directory);
    return this.dataSource.transaction(async (em) => {
      await this.refuseTakenUserName(em, record.userName, undefined);
      const actor = actorOf(connection);
      const account = await this.accounts.createIn(
        em,
        actor,
        { ...this.accountFields(record), tier: tierFor(record.tierValue, this.policy.directory) ?? 'standard', managerId: null },
        'directory',
      );
      await em.insert(DirectoryUser, this.directoryRow(account.id, connection, record, null));
      await this.connections.count(em, connection.id, 'creates');
      await this.applyManager(em, actor, account, record.managerRef);
      if (!record.active) await this.accounts.updateIn(em, actor, account, { status: 'deactivated' });
      await this.resolveWaitingReports(em, actor, account);
      return this.get(baseUrl, account.id, em);
    });
  }

  async replace(connection: ScimConnection, baseUrl: string, id: string, body: unknown, ifMatch: string | undefined): Promise<Json> {
    return this.write(connection, baseUrl, id, ifMatch, async (current) => readScimUser(body, this.policy.directory, current));
  }

  async patch(connection: ScimConnection, baseUrl: string, id: string, body: unknown, ifMatch: string | undefined): Promise<Json> {
    return this.write(connection, baseUrl, id, ifMatch, async (current, resource) =>
      readScimUser(await applyPatch(resource, body), this.policy.directory, current),
    );
  }

  /** DELETE: the account is deactivated, never removed (the audit trail and its tickets still name it). */
  async deactivate(connection: ScimConnection, baseUrl: string, id: string, ifMatch: string | undefined): Promise<void> {
    await this.write(connection, baseUrl, id, ifMatch, async (_current, resource) => readScimUser({ ...resource, active: false }, this.policy.directory));
  }

  private async write(
    connection: ScimConnection,
    baseUrl: string,
    id: string,
    ifMatch: string | undefined,
    desired: (current: { externalId: string; active: boolean }, resource: Json) => Promise<DirectoryRecord>,
  ): Promise<Json> {
    return this.dataSource.transaction(async (em) => {
      const { account, directory } = await this.load(em, id, true);
      const resource = toScimUser(account, directory, this.policy.directory, baseUrl);
      const version = (resource.meta as Json).version as string;
      if (ifMatch !== undefined && ifMatch.trim() !== '*' && !ifMatch.split(',').some((tag) => tag.trim() === version)) throw new VersionMismatch(version);
      const record = await desired({ externalId: account.externalId, active: account.status === 'active' }, resource);
      await this.refuseTakenUserName(em, record.userName, account.id);
      const actor = actorOf(connection);
      const wasActive = account.status === 'active';

      const row = this.directoryRow(account.id, connection, record, directory);
      const directoryChanged = !directory || (['userName', 'givenName', 'familyName', 'tierValue'] as const).some((k) => row[k] !== directory[k]);
      const changes: AccountChanges = {
        ...this.accountFields(record),
        tier: tierFor(record.tierValue, this.policy.directory),
        status: record.active ? 'active' : 'deactivated',
      };
      const accountChanged = changedKeys(account, changes).length > 0;
      // Deactivate last: a leaver's other changes are recorded first, then the deactivation runs its steps.
      await this.accounts.updateIn(em, actor, account, { ...changes, status: account.status });
      const managerChanged = await this.applyManager(em, actor, account, record.managerRef, row);
      await em.save(DirectoryUser, row);
      if (wasActive && !record.active) await this.accounts.updateIn(em, actor, account, { status: 'deactivated' });
      if (!wasActive && record.active) await this.accounts.updateIn(em, actor, account, { status: 'active' });

      if (accountChanged || directoryChanged || managerChanged) {
        await em.update(Account, { id: account.id }, { source: 'directory', directoryChangedAt: this.clock.now() });
        await this.connections.count(em, connection.id, wasActive && !record.active ? 'deactivations' : 'updates');
      }
      return this.get(baseUrl, account.id, em);
    });
  }

  private accountFields(record: DirectoryRecord) {
    const { externalId, displayName, email, phone, employeeNumber, costCentre } = record;
    return { externalId, displayName, email, phone, employeeNumber, costCentre };
  }

  private directoryRow(accountId: string, connection: ScimConnection, record: DirectoryRecord, current: DirectoryUser | null): DirectoryUser {
    return Object.assign(new DirectoryUser(), {
      accountId,
      connectionId: connection.id,
      userName: record.userName,
      givenName: record.givenName,
      familyName: record.familyName,
      tierValue: record.tierValue === undefined ? (current?.tierValue ?? null) : record.tierValue,
      managerRef: current?.managerRef ?? null,
    });
  }

  /**
   * The manager a directory names: our account id, or an externalId or userName. One not here yet is remembered
   * on the report and linked when it arrives (resolveWaitingReports). Returns whether anything changed.
   */
  private async applyManager(em: EntityManager, actor: AuditActor, account: Account, ref: string | null, row?: DirectoryUser): Promise<boolean> {
    const manager = ref ? await this.findByRef(em, ref) : null;
    const managerId = manager?.id ?? null;
    const pending = ref && !manager ? ref : null;
    const before = account.managerId;
    await this.accounts.updateIn(em, actor, account, { managerId });
    if (row) {
      const changed = row.managerRef !== pending;
      row.managerRef = pending;
      return changed || before !== managerId;
    }
    await em.update(DirectoryUser, { accountId: account.id }, { managerRef: pending });
    return before !== managerId;
  }

  private async resolveWaitingReports(em: EntityManager, actor: AuditActor, manager: Account): Promise<void> {
    const waiting = (await em.query(
      `SELECT d.account_id FROM directory_users d JOIN directory_users m ON m.account_id = $1
       WHERE d.manager_ref IS NOT NULL AND (d.manager_ref = $1::text OR d.manager_ref = $2 OR lower(d.manager_ref) = lower(m.user_name))
       ORDER BY d.account_id FOR UPDATE OF d`,
      [manager.id, manager.externalId],
    )) as { account_id: string }[];
    for (const { account_id } of waiting) {
      const report = await em.findOneOrFail(Account, { where: { id: account_id }, lock: { mode: 'pessimistic_write' } });
      await this.accounts.updateIn(em, actor, report, { managerId: manager.id });
      await em.update(DirectoryUser, { accountId: account_id }, { managerRef: null });
      await em.update(Account, { id: account_id }, { directoryChangedAt: this.clock.now() });
    }
  }

  private async findByRef(em: EntityManager, ref: string): Promise<{ id: string } | undefined> {
    const [row] = (await em.query(
      `SELECT a.id FROM accounts a LEFT JOIN directory_users d ON d.account_id = a.id
       WHERE a.id = $2::uuid OR a.external_id = $1 OR lower(d.user_name) = lower($1)
       ORDER BY (a.id = $2::uuid) IS TRUE DESC, (a.external_id = $1) DESC LIMIT 1`,
      [ref, UUID.test(ref) ? ref : null],
    )) as { id: string }[];
    return row;
  }

  private async refuseTakenUserName(em: EntityManager, userName: string, accountId: string | undefined): Promise<void> {
    const [taken] = (await em.query(
      `SELECT a.id FROM accounts a LEFT JOIN directory_users d ON d.account_id = a.id
       WHERE lower(COALESCE(d.user_name, a.email)) = lower($1) AND a.id IS DISTINCT FROM $2::uuid LIMIT 1`,
      [userName, accountId ?? null],
    )) as { id: string }[];
    if (taken) throw new AlreadyExists(`a user with userName ${userName} already exists`);
  }

  private async load(em: EntityManager, id: string, lock: boolean): Promise<{ account: Account; directory: DirectoryUser | null }> {
    if (!UUID.test(id)) throw new NotFound('User', id);
    const account = await em.findOne(Account, { where: { id }, ...(lock && { lock: { mode: 'pessimistic_write' as const } }) });
    if (!account) throw new NotFound('User', id);
    const directory = await em.findOne(DirectoryUser, { where: { accountId: id }, ...(lock && { lock: { mode: 'pessimistic_write' as const } }) });
    return { account, directory };
  }
}
