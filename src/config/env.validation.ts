import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
  ValidationArguments,
  ValidationError,
} from 'class-validator';
import { STAFF_ROLES, StaffRole } from '../common/auth/staff-roles';

export const ROLES_OF_PROCESS = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof ROLES_OF_PROCESS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const NOTIFY_ADAPTERS = ['file', 'webhook', 'smtp'] as const;

/** Settings whose values must never be echoed back in an error line. */
const SECRET_SETTINGS = new Set([
  'CODE_PEPPER',
  'DELIVERY_KEY',
  'GRANT_SIGNING_KEY',
  'AUDIT_CHECKPOINT_KEY',
  'BOOTSTRAP_ADMIN_TOKEN',
  'NOTIFY_WEBHOOK_SECRET',
  'OIDC_CLIENT_SECRET',
]);

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);

/** A floor that holds in every mode but NODE_ENV=test, which may go down to `testFloor` (never production). */
function MinOutsideTests(floor: number, testFloor: number, message: string): PropertyDecorator {
  return ValidateBy({
    name: 'minOutsideTests',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value === 'number' && value >= ((args?.object as Partial<Env> | undefined)?.NODE_ENV === 'test' ? testFloor : floor),
      defaultMessage: () => message,
    },
  });
}

/**
 * The process environment, validated. Every setting the service reads is here,
 * with its default; nothing outside `config/` reads `process.env`.
 */
export class Env {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(ROLES_OF_PROCESS)
  ROLE: ProcessRole = 'all';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Matches(/^postgres(ql)?:\/\/[^/]+\/[A-Za-z0-9_-]+(\?.*)?$/, {
    message: 'must be a postgres:// URL that names a database, e.g. postgres://postgres@127.0.0.1:5432/recovery_desk',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/recovery_desk';

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL, e.g. redis://127.0.0.1:6379' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Key prefix for BullMQ queues and rate-limit counters; lets several deployments share one Redis. */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'must be 1-40 letters, digits, - or _' })
  REDIS_PREFIX = 'rd';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Write logs to this file instead of stdout (used by the test suite to scan its own logs). */
  @IsOptional()
  @IsString()
  LOG_FILE?: string;

  /** Server-side secret mixed into every backup-code hash (argon2 `secret`). */
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  CODE_PEPPER: string;

  /** AES-256-GCM key for delivery envelopes: 32 bytes, base64 or hex. */
  @Matches(/^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes, as 64 hex digits or 44 base64 characters' })
  DELIVERY_KEY: string;

  /** Ed25519 private key (its 32-byte seed, 64 hex or 44 base64 characters) that signs unlock grants. */
  @Matches(/^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be a 32-byte Ed25519 seed, as 64 hex or 44 base64 characters' })
  GRANT_SIGNING_KEY: string;

  @IsOptional()
  @IsString()
  POLICY_FILE?: string;

  /** Token of the first admin, for automation; only used while no staff exist. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  BOOTSTRAP_ADMIN_TOKEN?: string;

  /**
   * argon2id cost for backup codes. Defaults are OWASP's minimum (m=19 MiB, t=2, p=1); raise, never lower.
   * Only NODE_ENV=test may go lower (down to m=1 MiB, t=1), so the test suite hashes cheaply.
   */
  @Transform(toInt)
  @IsInt()
  @MinOutsideTests(19_456, 1_024, 'must be at least 19456 KiB (OWASP minimum for argon2id; 1024 under NODE_ENV=test)')
  @Max(4 * 1024 * 1024)
  ARGON2_MEMORY_KIB = 19_456;

  @Transform(toInt)
  @IsInt()
  @MinOutsideTests(2, 1, 'must be at least 2 (OWASP minimum for argon2id at 19 MiB; 1 under NODE_ENV=test)')
  @Max(20)
  ARGON2_TIME_COST = 2;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  /**
   * argon2 operations (hash or verify) one process runs at once; the rest wait their turn. Each holds
   * ARGON2_MEMORY_KIB while it runs, and more at once than there are cores finish no sooner: they only hold more
   * memory and fill libuv's pool, which file and DNS work share. 0: one per core (os.availableParallelism()).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(64)
  ARGON2_CONCURRENCY = 0;

  /** Verification attempts one caller may make for one account per minute (held in Redis, across processes). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  VERIFY_RATE_LIMIT = 30;

  /** Requests per minute one client address may make to the no-auth link routes (delivery redeem). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  LINK_RATE_LIMIT = 20;

  /** Requests per minute one SCIM provisioning connection may make (src/scim/). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  SCIM_RATE_LIMIT = 600;

  /** Where people's links point (delivery, cancel, attestation): the public address of this service. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'must be an http(s) URL' })
  PUBLIC_URL?: string;

  /** How messages to people leave: `file` (development inbox), `webhook` (signed POST), `smtp` (e-mail; SMS as without it). */
  @IsIn(NOTIFY_ADAPTERS)
  NOTIFY_ADAPTER: (typeof NOTIFY_ADAPTERS)[number] = 'file';

  /** The `file` adapter's inbox: one JSON line per message. */
  @IsString()
  NOTIFY_FILE = 'var/notifications.jsonl';

  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL' })
  NOTIFY_WEBHOOK_URL?: string;

  /** HMAC-SHA256 key for the webhook adapter's X-Signature header. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  NOTIFY_WEBHOOK_SECRET?: string;

  /** The `smtp` adapter's server, credentials in the URL (`smtps://user:pass@host:465`); never printed with its password. */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s/?#]+\/?(\?[^\s#]*)?$/, {
    message: 'must be an smtp:// or smtps:// URL, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@mail.example.com:465',
  })
  SMTP_URL?: string;

  /** The sender of e-mail, `Name <address>` or a bare address. */
  @Matches(/^([^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, { message: 'must be an address, e.g. Recovery desk <recovery-desk@example.com>' })
  SMTP_FROM = 'Recovery desk <recovery-desk@localhost>';

  /** Delivery attempts per message before the relay gives up and marks it `failed`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  NOTIFY_RETRY_ATTEMPTS = 10;

  /** First retry delay of a message; each further retry waits twice as long. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  NOTIFY_RETRY_DELAY_MS = 1_000;

  /**
   * Test-only fault injection, `point:milliseconds` (e.g. `regeneration.after_hash:60000`): the process pauses
   * there, so a test can kill it at that exact moment. Refused outside NODE_ENV=test.
   */
  @IsOptional()
  @Matches(/^[a-z_.]+:\d{1,7}$/, { message: 'must be point:milliseconds' })
  FAULT_PAUSE?: string;

  /**
   * Signs the audit log's checkpoints: a C2SP note key, `PRIVATE+KEY+<log name>+<key id>+<base64>` (generate one with
   * `npm run cli -- audit:keygen`). The log's origin line is the key's name. Held by the service, never by PostgreSQL.
   */
  @Matches(/^PRIVATE\+KEY\+[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/, {
    message: 'must be a note signing key, PRIVATE+KEY+<name>+<id>+<key> (npm run cli -- audit:keygen)',
  })
  AUDIT_CHECKPOINT_KEY: string;

  /** How often the sequencer publishes a signed checkpoint when the tree has grown. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  AUDIT_CHECKPOINT_INTERVAL_MS = 1_000;

  /** How often a worker looks for committed audit events to integrate into the tree. */
  @Transform(toInt)
  @IsInt()
  @Min(20)
  @Max(60_000)
  AUDIT_SEQUENCER_INTERVAL_MS = 200;

  /** How often the sweep runs (SLA expiry, lost-job reconciliation, envelope erasure, stranded notifications, drills). */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  SWEEP_INTERVAL_MS = 60_000;

  /**
   * How long an API process may answer from its memory of a verified staff token (0: never). Any change to staff or
   * staff_tokens empties every process's memory when it commits (LISTEN/NOTIFY), so this only bounds how long a
   * process that lost its notification connection could go on trusting what it knew.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600)
  STAFF_TOKEN_CACHE_SECONDS = 60;

  /** The default witness: a directory the service appends checkpoints and leaf hashes to (keep it off the database host). */
  @IsString()
  AUDIT_WITNESS_DIR = 'var/audit-witness';

  /** An HTTP witness (`npm run cli -- audit:witness`) to publish to instead of the directory. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  AUDIT_WITNESS_URL?: string;

  /** Staff sign-in through the company's OpenID provider (docs/sign-in.md); unset, staff sign in with tokens only. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: "must be the provider's issuer URL, e.g. https://login.example.com/realms/staff" })
  OIDC_ISSUER?: string;

  @IsOptional()
  @IsString()
  OIDC_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  OIDC_CLIENT_SECRET?: string;

  /** Where the provider sends people back; defaults to PUBLIC_URL + /v1/auth/oidc/callback. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+\/v1\/auth\/oidc\/callback$/, { message: 'must be an http(s) URL ending in /v1/auth/oidc/callback' })
  OIDC_REDIRECT_URL?: string;

  @Matches(/^openid( [\x21-\x7e]+)*$/, { message: 'must be space-separated scopes starting with openid' })
  OIDC_SCOPES = 'openid email profile';

  /** The ID-token claim that lists the person's directory groups. */
  @Matches(/^[A-Za-z0-9_:/.-]{1,200}$/, { message: 'must be a claim name' })
  OIDC_GROUPS_CLAIM = 'groups';

  /** Directory group → staff role, `group=role` pairs separated by commas: `helpdesk-agents=agent,helpdesk-approvers=approver`. */
  @IsOptional()
  @IsString()
  OIDC_ROLE_MAP?: string;

  /** The name on the sign-in button ("Sign in with …"); defaults to the issuer's host name. */
  @IsOptional()
  @IsString()
  OIDC_PROVIDER_NAME?: string;

  /** A console session ends after this long without a request… */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  SESSION_IDLE_MINUTES = 30;

  /** …and after this long in any case. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 7)
  SESSION_MAX_HOURS = 12;

  /** Step-up acts (approving, clearing a hold, issuing a staff token) need a sign-in at most this old. */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(24 * 3600)
  STEP_UP_MAX_AGE_SECONDS = 600;

  /** …whose `amr` holds one of these methods (comma-separated, e.g. `hwk,phr`)… */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$/, { message: 'must be comma-separated amr values, e.g. hwk,phr' })
  STEP_UP_AMR?: string;

  /** …or whose `acr` is one of these (comma-separated); both unset: freshness alone. */
  @IsOptional()
  @Matches(/^[\x21-\x2b\x2d-\x7e]+(,[\x21-\x2b\x2d-\x7e]+)*$/, { message: 'must be comma-separated acr values' })
  STEP_UP_ACR?: string;

  /** Largest JSON body accepted, in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 256 * 1024;
}

/** Settings without a default (so not among the keys of a fresh Env). */
const OPTIONAL_SETTINGS = [
  'CODE_PEPPER',
  'DELIVERY_KEY',
  'GRANT_SIGNING_KEY',
  'AUDIT_CHECKPOINT_KEY',
  'AUDIT_WITNESS_URL',
  'LOG_FILE',
  'POLICY_FILE',
  'BOOTSTRAP_ADMIN_TOKEN',
  'PUBLIC_URL',
  'NOTIFY_WEBHOOK_URL',
  'NOTIFY_WEBHOOK_SECRET',
  'SMTP_URL',
  'FAULT_PAUSE',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_REDIRECT_URL',
  'OIDC_ROLE_MAP',
  'OIDC_PROVIDER_NAME',
  'STEP_UP_AMR',
  'STEP_UP_ACR',
];

/** `group=role,group=role` → pairs; one group may map to several roles; `service` is for tokens only. */
export function parseRoleMap(value: string): [string, StaffRole][] {
  return value
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.lastIndexOf('=');
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim() as StaffRole];
    });
}

function roleMapProblem(value: string): string | undefined {
  const pairs = parseRoleMap(value);
  if (pairs.length === 0) return 'names no group=role pair';
  for (const [group, role] of pairs) {
    if (!group) return `has a pair without a group name (${JSON.stringify(`=${role}`)})`;
    if (!STAFF_ROLES.includes(role) || role === 'service') {
      return `maps ${JSON.stringify(group)} to ${JSON.stringify(role)}, which is not one of ${STAFF_ROLES.filter((r) => r !== 'service').join(', ')} (service is for tokens only)`;
    }
  }
  return undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A URL's password (`scheme://user:password@host`) masked, even in a URL too malformed to parse. */
const withoutPassword = (value: string) => value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i, '$1***@');

function describe(error: ValidationError, raw: Record<string, unknown>): string {
  const reasons = Object.values(error.constraints ?? {}).map((m) => m.replace(`${error.property} `, ''));
  const given = raw[error.property];
  const shown =
    given === undefined || given === ''
      ? 'it is not set'
      : SECRET_SETTINGS.has(error.property)
        ? 'value hidden'
        : `got ${JSON.stringify(withoutPassword(String(given)))}`;
  return `${error.property} ${reasons.join(' and ')} (${shown})`;
}

/**
 * Validates the raw environment. Throws ConfigError whose message is one line
 * naming the first bad setting and what is wrong with it.
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  const known = Object.keys(new Env());
  const picked: Record<string, unknown> = {};
  for (const key of [...known, ...OPTIONAL_SETTINGS]) {
    if (raw[key] !== undefined && raw[key] !== '') picked[key] = raw[key];
  }
  const env = plainToInstance(Env, picked);
  const errors = validateSync(env, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(`Configuration error: ${describe(errors[0], raw)}`);
  }
  if (env.NOTIFY_ADAPTER === 'webhook' && (!env.NOTIFY_WEBHOOK_URL || !env.NOTIFY_WEBHOOK_SECRET)) {
    throw new ConfigError('Configuration error: NOTIFY_ADAPTER=webhook needs NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET');
  }
  if (env.SMTP_URL && !URL.canParse(env.SMTP_URL)) {
    throw new ConfigError(
      `Configuration error: SMTP_URL is not a URL (got ${JSON.stringify(withoutPassword(env.SMTP_URL))}); percent-encode any @ : / in the user or password`,
    );
  }
  if (env.NOTIFY_ADAPTER === 'smtp' && !env.SMTP_URL) {
    throw new ConfigError('Configuration error: NOTIFY_ADAPTER=smtp needs SMTP_URL, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@mail.example.com:465');
  }
  if (env.NOTIFY_ADAPTER === 'smtp' && !env.NOTIFY_WEBHOOK_URL !== !env.NOTIFY_WEBHOOK_SECRET) {
    throw new ConfigError('Configuration error: NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET go together (the SMS gateway beside SMTP)');
  }
  if (env.FAULT_PAUSE && env.NODE_ENV !== 'test') throw new ConfigError('Configuration error: FAULT_PAUSE is for tests only (NODE_ENV=test)');
  env.PUBLIC_URL ??= `http://localhost:${env.PORT}`;
  if (env.OIDC_ISSUER) {
    if (!env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET || !env.OIDC_ROLE_MAP) {
      throw new ConfigError(
        'Configuration error: OIDC_ISSUER needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_ROLE_MAP (e.g. helpdesk-agents=agent,helpdesk-approvers=approver)',
      );
    }
    const problem = roleMapProblem(env.OIDC_ROLE_MAP);
    if (problem) throw new ConfigError(`Configuration error: OIDC_ROLE_MAP ${problem}`);
    env.OIDC_REDIRECT_URL ??= `${env.PUBLIC_URL.replace(/\/$/, '')}/v1/auth/oidc/callback`;
  }
  return env;
}
