import fc from 'fast-check';
import { LockoutPolicy } from '../config/policy';
import { afterFailure, afterSuccess, FRESH_GUARD, GuardState, isLocked } from './lockout';

const policy = Object.assign(new LockoutPolicy(), { maxFailures: 5, windowMinutes: 15, baseLockMinutes: 15, maxLockMinutes: 120 });
const t0 = new Date('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function fail(times: number, guard: GuardState = FRESH_GUARD, start = 0, stepMinutes = 0) {
  let state = guard;
  let lockedNow = false;
  for (let i = 0; i < times; i += 1) ({ guard: state, lockedNow } = afterFailure(state, at(start + i * stepMinutes), policy));
  return { state, lockedNow };
}

describe('lockout', () => {
  it('locks at exactly the limit within the window', () => {
    expect(fail(4).lockedNow).toBe(false);
    expect(isLocked(fail(4).state, at(0))).toBe(false);
    const { state, lockedNow } = fail(5);
    expect(lockedNow).toBe(true);
    expect(state.lockedUntil).toEqual(at(15));
    expect(isLocked(state, at(14.99))).toBe(true);
    expect(isLocked(state, at(15))).toBe(false);
  });

  it('forgets failures older than the window', () => {
    expect(fail(10, FRESH_GUARD, 0, 16).lockedNow).toBe(false);
  });

  it('doubles each consecutive lock, up to the cap', () => {
    let state = FRESH_GUARD;
    const lengths: number[] = [];
    for (let lock = 0; lock < 5; lock += 1) {
      const start = lock * 1000;
      state = fail(5, state, start).state;
      lengths.push((state.lockedUntil!.getTime() - at(start).getTime()) / 60_000);
    }
    expect(lengths).toEqual([15, 30, 60, 120, 120]);
  });

  it('resets the back-off after a success', () => {
    const locked = fail(5, fail(5).state, 100).state;
    expect(locked.lockCount).toBe(2);
    expect(fail(5, afterSuccess(), 1000).state.lockedUntil).toEqual(at(1015));
  });

  it('never locks below the limit, whatever the spacing', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 4 }), (gaps) => {
        let state = FRESH_GUARD;
        let minute = 0;
        for (const gap of gaps) {
          minute += gap;
          const step = afterFailure(state, at(minute), policy);
          expect(step.lockedNow).toBe(false);
          state = step.guard;
        }
      }),
    );
  });
});
