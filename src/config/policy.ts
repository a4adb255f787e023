import { readFileSync } from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsString, Max, Min, ValidateNested, validateSync } from 'class-validator';
import { PROOFING_STEPS, ProofingStep } from '../common/proofing-steps';
import { fieldErrors } from '../common/validation';
import { ConfigError } from './env.validation';

export class CodesPolicy {
  /** Codes per set. */
  @IsInt() @Min(4) @Max(50) count = 10;
  /** A set is due for rotation this many days after issue. */
  @IsInt() @Min(7) @Max(3650) rotationDays = 180;
  /** At or below this many unused codes the subject is warned and the hygiene report lists the account. */
  @IsInt() @Min(0) @Max(49) lowRemaining = 3;
}

export class LockoutPolicy {
  /** Failed verifications within the window that lock the account. */
  @IsInt() @Min(1) @Max(100) maxFailures = 5;
  @IsInt() @Min(1) @Max(1440) windowMinutes = 15;
  /** The first lock lasts this long; each further lock without a success in between doubles it. */
  @IsInt() @Min(1) @Max(1440) baseLockMinutes = 15;
  @IsInt() @Min(1) @Max(43_200) maxLockMinutes = 1440;
}

export class DeliveryPolicy {
  /** A delivery envelope can be redeemed for this long, then the sweep erases it. */
  @IsInt() @Min(1) @Max(168) ttlHours = 24;
}

/** What a tier asks of a recovery: proofing steps, distinct approvers, a cooling-off delay before regeneration. */
export class TierPolicy {
  @IsArray() @ArrayMinSize(2) @ArrayUnique() @IsIn(PROOFING_STEPS, { each: true }) steps: ProofingStep[];
  @IsInt() @Min(0) @Max(5) approvers: number;
  @IsInt() @Min(0) @Max(7 * 24 * 60) coolingOffMinutes: number;

  constructor(steps: ProofingStep[] = [], approvers = 0, coolingOffMinutes = 0) {
    this.steps = steps;
    this.approvers = approvers;
    this.coolingOffMinutes = coolingOffMinutes;
  }
}

export class TiersPolicy {
  @ValidateNested() @Type(() => TierPolicy) standard = new TierPolicy(['registered_channel_otp', 'directory_facts'], 0, 0);
  @ValidateNested() @Type(() => TierPolicy) privileged = new TierPolicy(['registered_channel_otp', 'manager_attestation', 'government_id'], 1, 0);
  @ValidateNested() @Type(() => TierPolicy) critical = new TierPolicy(['registered_channel_otp', 'manager_attestation', 'government_id'], 2, 15);
}

/** How long a ticket may sit in each waiting state before the sweep expires it. */
export class SlaPolicy {
  @IsInt() @Min(1) @Max(10_080) unclaimedMinutes = 240;
  @IsInt() @Min(1) @Max(10_080) proofingMinutes = 60;
  @IsInt() @Min(1) @Max(10_080) approvalMinutes = 240;
}

export class OtpPolicy {
  @IsInt() @Min(6) @Max(8) digits = 6;
  @IsInt() @Min(1) @Max(60) ttlMinutes = 10;
  @IsInt() @Min(1) @Max(5) maxAttempts = 3;
  /** How many times one ticket may send a fresh code. */
  @IsInt() @Min(1) @Max(5) maxSends = 3;
}

export class AttestationPolicy {
  @IsInt() @Min(5) @Max(10_080) ttlMinutes = 60;
}

export class RegenerationPolicy {
  /** Attempts of the regeneration job before the ticket is `failed`. */
  @IsInt() @Min(1) @Max(20) attempts = 5;
}

export class DrillsPolicy {
  /** How long after a drill resolves the staff involved are told it was a drill. */
  @IsInt() @Min(0) @Max(10_080) debriefDelayMinutes = 60;
}

/** More than `maxTickets` recovery tickets for one account within `windowDays` raise `reset_velocity`. */
export class AccountVelocityPolicy {
  @IsInt() @Min(1) @Max(100) maxTickets = 2;
  @IsInt() @Min(1) @Max(90) windowDays = 7;
}

/** More than `maxPrivilegedTickets` tickets for privileged and critical accounts across the desk within `windowMinutes` raise `reset_velocity`. */
export class DeskVelocityPolicy {
  @IsInt() @Min(1) @Max(10_000) maxPrivilegedTickets = 10;
  @IsInt() @Min(5) @Max(1440) windowMinutes = 60;
}

/** Risk signals evaluated on every ticket (src/tickets/risk/risk-signals.ts). */
export class RiskPolicy {
  /** A registered e-mail or phone changed this recently raises `channel_recently_changed`: a SIM swap or mailbox takeover leaves this trace. */
  @IsInt() @Min(1) @Max(365) channelChangeWindowDays = 14;
  /** A ticket uses the highest tier the account held this many days back: lowering a tier does not lower a recovery at once (`tier_recently_lowered`). */
  @IsInt() @Min(1) @Max(365) tierLoweredWindowDays = 14;
  /** The subject's manager, or the manager's registered e-mail, changed this recently raises `manager_recently_changed`. */
  @IsInt() @Min(1) @Max(365) managerChangeWindowDays = 14;
  /** An approver whose approver role is younger than this does not count on privileged and critical tickets (`approver_recently_privileged`). */
  @IsInt() @Min(1) @Max(365) approverFreshDays = 7;
  @ValidateNested() @Type(() => AccountVelocityPolicy) accountVelocity = new AccountVelocityPolicy();
  @ValidateNested() @Type(() => DeskVelocityPolicy) deskVelocity = new DeskVelocityPolicy();
}

/**
 * Which admin changes need a second admin (a change request, src/change-requests/); each can be switched off here.
 * While fewer than two active admins exist they apply at once and security is alerted of each.
 */
export class SensitiveChangesPolicy {
  /** Lowering an account's tier. */
  @IsBoolean() accountTierLowered = true;
  /** Changing an account's registered e-mail or phone. */
  @IsBoolean() accountChannels = true;
  /** Changing an account's managerId. */
  @IsBoolean() accountManager = true;
  /** Deactivating an account. */
  @IsBoolean() accountDeactivated = true;
  /** Creating a staff member with the approver, admin or service role, or granting one of them. */
  @IsBoolean() staffPrivilegedRole = true;
  /** Issuing a token to a member with the approver, admin or service role. */
  @IsBoolean() staffPrivilegedToken = true;
  /** Re-activating a deactivated staff member. */
  @IsBoolean() staffReactivated = true;
  /** Any change by an admin to another admin's staff record (roles, accountId, active). */
  @IsBoolean() staffAdminRecord = true;
  /** Clearing a risk signal's hold on a ticket. */
  @IsBoolean() holdCleared = true;
  /** Changing a critical system's k (custodians needed) or window. */
  @IsBoolean() criticalSystemUnlockRule = true;
  /** Adding a custodian to a critical system, or removing one. */
  @IsBoolean() criticalSystemCustodians = true;
  /** Creating a SCIM provisioning connection (a directory that may then change every account's channels). */
  @IsBoolean() scimConnectionCreated = true;
}

export class ChangeApprovalPolicy {
  /** A pending change request nobody reviewed expires after this many hours. */
  @IsInt() @Min(1) @Max(720) expiryHours = 72;
  @ValidateNested() @Type(() => SensitiveChangesPolicy) sensitive = new SensitiveChangesPolicy();
}

/** Dual-code unlock (src/unlock/). */
export class UnlockPolicy {
  /**
   * A custodian's presentation counts only with codes from a set active before the custodian was added to the
   * system and at least this many days old, or issued through a completed recovery ticket: freshly enrolled
   * codes prove nothing about whose they are.
   */
  @IsInt() @Min(1) @Max(365) custodianCodeMinAgeDays = 7;
}

/** SCIM attributes a directory may carry the tier in (src/scim/): core `userType`/`title`, enterprise `department`/`division`. */
export const DIRECTORY_TIER_ATTRIBUTES = ['userType', 'title', 'department', 'division'] as const;

/**
 * How a directory's user maps to a tier: the value of `tierAttribute` (case-insensitive) listed under a tier
 * gives that tier; any other value gives `standard`. A user sent without the attribute keeps the tier it has
 * (new users: `standard`), so a directory that does not send it never lowers a tier an admin set.
 */
export class DirectoryPolicy {
  @IsIn(DIRECTORY_TIER_ATTRIBUTES) tierAttribute: (typeof DIRECTORY_TIER_ATTRIBUTES)[number] = 'userType';
  @IsArray() @IsString({ each: true }) privilegedValues: string[] = ['Privileged'];
  @IsArray() @IsString({ each: true }) criticalValues: string[] = ['Critical'];
}

/** Unusual use of a service token (src/staff/service-token-watch.ts): more calls of a scope in an hour alert security. */
export class ServiceTokensPolicy {
  @IsInt() @Min(1) @Max(100_000) maxEnrolmentsPerHour = 200;
  @IsInt() @Min(1) @Max(10_000) maxExposuresPerHour = 20;
}

/** Exposure revokes at once, so it is limited (429) and watched (src/tickets/exposure-limits.ts). */
export class ExposurePolicy {
  @IsInt() @Min(1) @Max(10_000) maxPerCallerPerHour = 10;
  @IsInt() @Min(1) @Max(100) maxPerAccountPerDay = 3;
  /** More accounts than this revoked as exposed across the desk in an hour alerts security. */
  @IsInt() @Min(1) @Max(10_000) alertAccountsPerHour = 5;
}

/** The smallest number of distinct approvers each tier may be set to: policy can tighten, never loosen. */
export const MIN_APPROVERS = { standard: 0, privileged: 1, critical: 2 } as const;

/**
 * The desk's policy, from the file POLICY_FILE names (JSON), merged over these
 * defaults. An admin may tighten it; validation refuses what is out of range.
 */
export class Policy {
  @ValidateNested() @Type(() => CodesPolicy) codes = new CodesPolicy();
  @ValidateNested() @Type(() => LockoutPolicy) lockout = new LockoutPolicy();
  @ValidateNested() @Type(() => DeliveryPolicy) delivery = new DeliveryPolicy();
  @ValidateNested() @Type(() => TiersPolicy) tiers = new TiersPolicy();
  @ValidateNested() @Type(() => SlaPolicy) sla = new SlaPolicy();
  @ValidateNested() @Type(() => OtpPolicy) otp = new OtpPolicy();
  @ValidateNested() @Type(() => AttestationPolicy) attestation = new AttestationPolicy();
  @ValidateNested() @Type(() => RegenerationPolicy) regeneration = new RegenerationPolicy();
  @ValidateNested() @Type(() => DrillsPolicy) drills = new DrillsPolicy();
  @ValidateNested() @Type(() => RiskPolicy) risk = new RiskPolicy();
  @ValidateNested() @Type(() => ChangeApprovalPolicy) changeApproval = new ChangeApprovalPolicy();
  @ValidateNested() @Type(() => DirectoryPolicy) directory = new DirectoryPolicy();
  @ValidateNested() @Type(() => ServiceTokensPolicy) serviceTokens = new ServiceTokensPolicy();
  @ValidateNested() @Type(() => ExposurePolicy) exposure = new ExposurePolicy();
  @ValidateNested() @Type(() => UnlockPolicy) unlock = new UnlockPolicy();
  /** Where possible-social-engineering and lockout alerts go. */
  @IsEmail() securityContact = 'security@example.com';
}

function merge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return result;
}

/** Loads and validates the policy; a bad file stops the process with one line naming the setting. */
export function loadPolicy(file: string | undefined): Policy {
  let overrides: unknown = {};
  if (file) {
    try {
      overrides = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`Policy error: POLICY_FILE ${file} cannot be read as JSON (${(error as Error).message.split('\n')[0]})`);
    }
    if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) {
      throw new ConfigError(`Policy error: POLICY_FILE ${file} must hold a JSON object`);
    }
  }
  const plain = merge(JSON.parse(JSON.stringify(new Policy())), overrides as Record<string, unknown>);
  const policy = plainToInstance(Policy, plain);
  const errors = validateSync(policy, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const [first] = fieldErrors(errors);
    throw new ConfigError(`Policy error: ${first.field} ${first.errors.join(' and ')}`);
  }
  if (policy.codes.lowRemaining >= policy.codes.count) {
    throw new ConfigError('Policy error: codes.lowRemaining must be below codes.count');
  }
  for (const tier of ['standard', 'privileged', 'critical'] as const) {
    const rules = policy.tiers[tier];
    if (!rules.steps.includes('registered_channel_otp')) {
      throw new ConfigError(`Policy error: tiers.${tier}.steps must include registered_channel_otp`);
    }
    if (rules.approvers < MIN_APPROVERS[tier]) {
      throw new ConfigError(`Policy error: tiers.${tier}.approvers must be at least ${MIN_APPROVERS[tier]}`);
    }
  }
  return policy;
}
