import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import SCIMMY from 'scimmy';
import { Account, AccountTier } from '../accounts/account.entity';
import { AccountFieldsDto } from '../accounts/dto/account.dto';
import { fieldErrors } from '../common/validation';
import { DirectoryPolicy } from '../config/policy';
import { DirectoryUser } from './directory-user.entity';
import { ScimInvalid } from './scim-errors';
import { CORE_USER, ENTERPRISE } from './scim-filter';

// The User resource carries the enterprise extension (employeeNumber, costCenter, manager …); declared once per process.
let declared = false;
export function declareUserResource(): void {
  if (declared) return;
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false));
  declared = true;
}

/** What the directory says a user is, read and checked; the one shape POST, PUT and PATCH all write from. */
export interface DirectoryRecord {
  userName: string;
  externalId: string;
  displayName: string;
  givenName: string | null;
  familyName: string | null;
  email: string;
  phone: string;
  active: boolean;
  employeeNumber: string | null;
  costCentre: string | null;
  /** The manager as the directory names it (our id, an externalId or a userName); null: no manager. */
  managerRef: string | null;
  /** The tier attribute's value; undefined when the directory did not send it (the tier then stays). */
  tierValue: string | null | undefined;
}

type Json = Record<string, unknown>;

const FIELD_PATHS: Record<string, string> = {
  externalId: 'externalId',
  displayName: 'displayName',
  email: 'emails[type eq "work"].value',
  phone: 'phoneNumbers[type eq "mobile"].value',
  employeeNumber: `${ENTERPRISE}:employeeNumber`,
  costCentre: `${ENTERPRISE}:costCenter`,
};
const PRINTABLE = /^[^\p{Cc}]{1,256}$/u;

/** Entra ID sends booleans as strings ("False"); anything else that is not a boolean stays as sent (and is refused). */
export function lenientBoolean(value: unknown): unknown {
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return value;
}

/** The tier a directory value maps to under the policy (case-insensitive); undefined: keep the current tier. */
export function tierFor(value: string | null | undefined, policy: DirectoryPolicy): AccountTier | undefined {
  if (value === undefined) return undefined;
  const match = (list: string[]) => value !== null && list.some((v) => v.toLowerCase() === value.toLowerCase());
  return match(policy.criticalValues) ? 'critical' : match(policy.privilegedValues) ? 'privileged' : 'standard';
}

function pick(list: unknown, preferredType: string): Json | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const items = list.filter((v): v is Json => !!v && typeof v === 'object');
  return items.find((v) => String(v.type ?? '').toLowerCase() === preferredType) ?? items.find((v) => v.primary === true) ?? items[0];
}

function optionalText(value: unknown, path: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new ScimInvalid('invalidValue', path, 'must be a string');
  return value.trim() || null;
}

/** Reads a full User (POST, PUT, or a PATCHed resource) into a DirectoryRecord; 400 with scimType on anything wrong. */
export function readScimUser(body: unknown, policy: DirectoryPolicy, current?: { externalId: string; active: boolean }): DirectoryRecord {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ScimInvalid('invalidSyntax', 'body', 'must be a SCIM User object');
  declareUserResource();
  const raw = { ...(body as Json) };
  if (!Array.isArray(raw.schemas)) raw.schemas = [CORE_USER];
  if ('active' in raw) raw.active = lenientBoolean(raw.active);
  let user: Json;
  try {
    user = JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(raw, 'in'))) as Json;
  } catch (error) {
    const scimError = error as { scimType?: string; message?: string };
    const scimType = scimError.scimType === 'invalidSyntax' ? 'invalidSyntax' : 'invalidValue';
    throw new ScimInvalid(scimType, 'User', (scimError.message ?? 'is not a valid SCIM User').replace(/^Attribute /, 'attribute '));
  }
  const enterprise = (user[ENTERPRISE] ?? {}) as Json;
  const name = (user.name ?? {}) as Json;

  const userName = user.userName;
  if (typeof userName !== 'string' || !PRINTABLE.test(userName.trim()))
    throw new ScimInvalid('invalidValue', 'userName', 'is required: 1-256 printable characters');
  const givenName = optionalText(name.givenName, 'name.givenName');
  const familyName = optionalText(name.familyName, 'name.familyName');
  const email = pick(user.emails, 'work')?.value;
  const phone = pick(user.phoneNumbers, 'mobile')?.value;
  if (typeof email !== 'string') throw new ScimInvalid('invalidValue', 'emails', 'must hold a work e-mail: one-time codes and links are sent only there');
  if (typeof phone !== 'string') throw new ScimInvalid('invalidValue', 'phoneNumbers', 'must hold a mobile number (E.164): one-time codes are sent only there');
  const manager = enterprise.manager as Json | undefined;
  const managerRef = optionalText(manager?.value, `${ENTERPRISE}:manager.value`);
  const tierSource = policy.tierAttribute === 'department' || policy.tierAttribute === 'division' ? enterprise : user;
  const tierValue = policy.tierAttribute in tierSource ? optionalText(tierSource[policy.tierAttribute], policy.tierAttribute) : undefined;

  const fields = plainToInstance(AccountFieldsDto, {
    externalId: typeof user.externalId === 'string' && user.externalId.trim() ? user.externalId : (current?.externalId ?? userName),
    displayName:
      optionalText(user.displayName, 'displayName') ??
      optionalText(name.formatted, 'name.formatted') ??
      ([givenName, familyName].filter(Boolean).join(' ') || userName),
    tier: 'standard',
    email,
    phone,
    employeeNumber: optionalText(enterprise.employeeNumber, FIELD_PATHS.employeeNumber) ?? undefined,
    costCentre: optionalText(enterprise.costCenter, FIELD_PATHS.costCentre) ?? undefined,
  });
  const [problem] = fieldErrors(validateSync(fields, { whitelist: true, forbidNonWhitelisted: true }));
  if (problem) throw new ScimInvalid('invalidValue', FIELD_PATHS[problem.field] ?? problem.field, problem.errors.join(', '));
  return {
    userName: userName.trim(),
    externalId: fields.externalId,
    displayName: fields.displayName,
    givenName,
    familyName,
    email: fields.email,
    phone: fields.phone,
    active: typeof user.active === 'boolean' ? user.active : (current?.active ?? true),
    employeeNumber: fields.employeeNumber ?? null,
    costCentre: fields.costCentre ?? null,
    managerRef,
    tierValue,
  };
}

/** The weak ETag of a representation: a hash of what the client would see, so any visible change moves it. */
export function versionOf(resource: Json): string {
  return `W/"${createHash('sha256').update(JSON.stringify(resource)).digest('base64url').slice(0, 22)}"`;
}

/** An account as a SCIM User (core + enterprise), with meta.version. */
export function toScimUser(account: Account, directory: DirectoryUser | null, policy: DirectoryPolicy, baseUrl: string): Json {
  const enterprise: Json = {};
  if (account.employeeNumber) enterprise.employeeNumber = account.employeeNumber;
  if (account.costCentre) enterprise.costCenter = account.costCentre;
  const managerRef = account.managerId ?? directory?.managerRef ?? null;
  if (managerRef) enterprise.manager = { value: managerRef, ...(account.managerId && { $ref: `${baseUrl}/Users/${account.managerId}` }) };
  const core: Json = {};
  if (directory?.tierValue)
    (policy.tierAttribute === 'department' || policy.tierAttribute === 'division' ? enterprise : core)[policy.tierAttribute] = directory.tierValue;
  const name: Json = {};
  if (directory?.givenName) name.givenName = directory.givenName;
  if (directory?.familyName) name.familyName = directory.familyName;
  const resource: Json = {
    schemas: [CORE_USER, ENTERPRISE],
    id: account.id,
    externalId: account.externalId,
    userName: directory?.userName ?? account.email,
    ...(Object.keys(name).length && { name }),
    displayName: account.displayName,
    active: account.status === 'active',
    emails: [{ value: account.email, type: 'work', primary: true }],
    phoneNumbers: [{ value: account.phone, type: 'mobile', primary: true }],
    ...core,
    [ENTERPRISE]: enterprise,
  };
  return {
    ...resource,
    meta: {
      resourceType: 'User',
      created: account.createdAt.toISOString(),
      lastModified: account.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${account.id}`,
      version: versionOf(resource),
    },
  };
}
