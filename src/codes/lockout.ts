import type { LockoutPolicy } from '../config/policy';

/** Per-account brute-force state, as stored in code_guards. */
export interface GuardState {
  failures: number;
  windowStartedAt: Date | null;
  lockedUntil: Date | null;
  lockCount: number;
}

export const FRESH_GUARD: GuardState = { failures: 0, windowStartedAt: null, lockedUntil: null, lockCount: 0 };

export function isLocked(guard: GuardState, now: Date): boolean {
  return guard.lockedUntil !== null && guard.lockedUntil > now;
}

/**
 * One more failure. Failures count within a window; reaching the limit locks
 * for base × 2^(locks so far), capped: each lock without a success in between
 * is twice as long as the last.
 */
export function afterFailure(guard: GuardState, now: Date, policy: LockoutPolicy): { guard: GuardState; lockedNow: boolean } {
  const windowOpen = guard.windowStartedAt !== null && now.getTime() - guard.windowStartedAt.getTime() < policy.windowMinutes * 60_000;
  const failures = windowOpen ? guard.failures + 1 : 1;
  const windowStartedAt = windowOpen ? guard.windowStartedAt : now;
  if (failures < policy.maxFailures) {
    return { guard: { ...guard, failures, windowStartedAt }, lockedNow: false };
  }
  const minutes = Math.min(policy.baseLockMinutes * 2 ** guard.lockCount, policy.maxLockMinutes);
  return {
    guard: { failures: 0, windowStartedAt: null, lockedUntil: new Date(now.getTime() + minutes * 60_000), lockCount: guard.lockCount + 1 },
    lockedNow: true,
  };
}

/** A success clears the count and the back-off. */
export function afterSuccess(): GuardState {
  return { ...FRESH_GUARD };
}
