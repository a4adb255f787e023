import { Account } from '../accounts/account.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { Staff } from '../staff/staff.entity';
import { StaffToken } from '../staff/staff-token.entity';
import { Foundation1764000000000 } from '../../migrations/1764000000000-foundation';

/** Every entity and migration, listed explicitly (no globs: the build and the tests see the same list). */
export const ENTITIES = [Account, Staff, StaffToken, AuditEvent];
export const MIGRATIONS = [Foundation1764000000000];
