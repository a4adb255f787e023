import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors';
import type { Staff } from '../staff/staff.entity';
import { fieldErrors } from '../common/validation';
import { Account } from './account.entity';
import { AccountChanges, AccountsService, changedKeys } from './accounts.service';
import { parseDirectoryExport } from './directory-export';
import { ImportReportDto, ImportRowDto, RejectedRowDto } from './dto/import.dto';

interface ValidRow {
  row: number;
  fields: ImportRowDto;
}

/**
 * Bulk import from a directory export, idempotent on externalId: a row that
 * matches what is stored changes nothing. Each row is written under its own
 * savepoint, so a rejected row leaves no trace and does not stop the others.
 */
@Injectable()
export class AccountsImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * `admin`: an import through the API, whose rows with a sensitive change become change requests (listed in the
   * report, not applied). Without it (the operator's command line) every row applies.
   */
  async importExport(actor: AuditActor, format: 'csv' | 'json', content: string, admin?: Staff): Promise<ImportReportDto> {
    const raw = parseDirectoryExport(format, content);
    const report: ImportReportDto = { rows: raw.length, created: 0, updated: 0, unchanged: 0, rejected: [], requested: [] };

    const rows = await this.validateRows(raw, report.rejected);

    await this.dataSource.transaction(async (em) => {
      // A row with a sensitive change becomes a change request (listed in the report) instead of applying.
      const requested = async (item: ValidRow, account: Account, changes: AccountChanges) => {
        const pending = admin && (await this.accounts.propose(em, admin, account, changes));
        if (pending) report.requested.push({ row: item.row, externalId: account.externalId, changeRequestId: pending.id });
        return !!pending;
      };
      const byExternalId = await this.existing(em, rows);
      const inFile = new Set(rows.map((r) => r.fields.externalId));
      const valid = rows.filter((item) => {
        const manager = item.fields.managerExternalId;
        if (!manager || inFile.has(manager) || byExternalId.has(manager)) return true;
        report.rejected.push(this.rejection(item, [`managerExternalId ${manager} names no account`]));
        return false;
      });
      const deferredManagers: ValidRow[] = [];
      for (const item of valid) {
        const outcome = await this.inSavepoint(em, item, report.rejected, async () => {
          const managerId = item.fields.managerExternalId ? byExternalId.get(item.fields.managerExternalId)?.id : null;
          if (managerId === undefined) deferredManagers.push(item); // manager is further down the file
          const { managerExternalId: _, ...fields } = item.fields;
          const current = byExternalId.get(fields.externalId);
          if (!current) {
            const account = await this.accounts.createIn(em, actor, { ...fields, managerId: managerId ?? null });
            byExternalId.set(account.externalId, account);
            return 'created' as const;
          }
          const changes = { ...fields, ...(managerId !== undefined && { managerId }) };
          if (changedKeys(current, changes).length === 0) return 'unchanged' as const;
          if (await requested(item, current, changes)) return undefined;
          await this.accounts.updateIn(em, actor, current, changes);
          return 'updated' as const;
        });
        if (outcome) report[outcome] += 1;
      }
      for (const item of deferredManagers) {
        const manager = byExternalId.get(item.fields.managerExternalId!);
        const account = byExternalId.get(item.fields.externalId);
        if (!manager || !account) continue; // that row was itself rejected; already reported
        await this.inSavepoint(em, item, report.rejected, async () => {
          if (!(await requested(item, account, { managerId: manager.id }))) await this.accounts.updateIn(em, actor, account, { managerId: manager.id });
        });
      }
      await this.audit.record(em, {
        actor,
        action: 'accounts.imported',
        target: { type: 'account' },
        payload: {
          format,
          rows: report.rows,
          created: report.created,
          updated: report.updated,
          rejected: report.rejected.length,
          requested: report.requested.length,
        },
      });
    });
    report.rejected.sort((a, b) => a.row - b.row);
    return report;
  }

  private async validateRows(raw: unknown[], rejected: RejectedRowDto[]): Promise<ValidRow[]> {
    const seen = new Map<string, number>();
    const valid: ValidRow[] = [];
    for (const [index, plain] of raw.entries()) {
      const row = index + 1;
      if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
        rejected.push({ row, externalId: null, errors: ['row is not an object'] });
        continue;
      }
      const fields = plainToInstance(ImportRowDto, plain);
      const errors = await validate(fields, { whitelist: true, forbidNonWhitelisted: true });
      const messages = fieldErrors(errors).flatMap((f) => f.errors.map((message) => `${f.field} ${message}`));
      const externalId = typeof fields.externalId === 'string' ? fields.externalId : null;
      if (externalId && seen.has(externalId)) messages.push(`externalId ${externalId} repeats row ${seen.get(externalId)}`);
      if (messages.length > 0) {
        rejected.push({ row, externalId, errors: messages });
        continue;
      }
      seen.set(fields.externalId, row);
      valid.push({ row, fields });
    }
    return valid;
  }

  private async existing(em: EntityManager, rows: ValidRow[]): Promise<Map<string, Account>> {
    const ids = new Set(rows.flatMap((r) => [r.fields.externalId, r.fields.managerExternalId ?? []].flat()));
    const found = ids.size ? await em.find(Account, { where: { externalId: In([...ids]) }, lock: { mode: 'pessimistic_write' } }) : [];
    return new Map(found.map((a) => [a.externalId, a]));
  }

  private async inSavepoint<T>(em: EntityManager, item: ValidRow, rejected: RejectedRowDto[], work: () => Promise<T>): Promise<T | undefined> {
    await em.query('SAVEPOINT import_row');
    try {
      const result = await work();
      await em.query('RELEASE SAVEPOINT import_row');
      return result;
    } catch (error) {
      await em.query('ROLLBACK TO SAVEPOINT import_row');
      if (!(error instanceof DomainError)) throw error;
      rejected.push(this.rejection(item, [error.message]));
      return undefined;
    }
  }

  private rejection(item: ValidRow, errors: string[]): RejectedRowDto {
    return { row: item.row, externalId: item.fields.externalId, errors };
  }
}
