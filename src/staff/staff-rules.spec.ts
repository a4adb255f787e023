import { STAFF_ROLES, StaffRole } from '../common/auth/staff-roles';
import { brokenStaffRule, DRILL_READER_ROLES, ownAccountRefusal, ownRecordRefusal, TICKET_ROLES, TICKET_WORKER_ROLES, ticketActorRefusal } from './staff-rules';

/** Every set of roles a member can hold. */
const allRoleSets: StaffRole[][] = Array.from({ length: 1 << STAFF_ROLES.length }, (_, mask) => STAFF_ROLES.filter((_, i) => mask & (1 << i)));

describe('staff rules', () => {
  it.each(allRoleSets.map((roles) => [roles.join('+') || 'no roles', roles] as const))(
    '%s: needs an account exactly when it holds a ticket role',
    (_, roles) => {
      const unlinked = brokenStaffRule({ roles, accountId: null });
      const needsAccount = roles.some((r) => TICKET_ROLES.includes(r));
      const mixesDrills = roles.some((r) => DRILL_READER_ROLES.includes(r)) && roles.some((r) => TICKET_WORKER_ROLES.includes(r));
      expect(unlinked?.rule).toBe(needsAccount ? 'ticket-roles-need-an-account' : mixesDrills ? 'drill-readers-do-not-work-tickets' : undefined);
      expect(brokenStaffRule({ roles, accountId: 'acc-1' })?.rule).toBe(mixesDrills ? 'drill-readers-do-not-work-tickets' : undefined);
      expect(ticketActorRefusal({ roles, accountId: null })?.rule).toBe(unlinked?.rule);
    },
  );

  it('lets an admin read drills (auditor) but not work tickets beside it', () => {
    expect(brokenStaffRule({ roles: ['admin', 'auditor'], accountId: 'a' })).toBeUndefined();
    expect(brokenStaffRule({ roles: ['admin', 'auditor', 'approver'], accountId: 'a' })?.rule).toBe('drill-readers-do-not-work-tickets');
  });

  it('refuses a member changing their own roles, accountId or active, and nothing else', () => {
    expect(ownRecordRefusal('s1', 's1', ['roles'])).toMatchObject({ rule: 'own-staff-record', why: expect.stringContaining('roles') });
    expect(ownRecordRefusal('s1', 's1', ['accountId', 'active'])?.why).toContain('accountId, active');
    expect(ownRecordRefusal('s1', 's1', ['changeReason'])).toBeUndefined();
    expect(ownRecordRefusal('s1', 's2', ['roles', 'accountId', 'active'])).toBeUndefined();
    expect(ownRecordRefusal(undefined, 's1', ['roles'])).toBeUndefined();
  });

  it('refuses linking another member to one’s own account, and nothing else', () => {
    const me = { id: 's1', accountId: 'a1' };
    expect(ownAccountRefusal(me, undefined, 'a1')?.rule).toBe('own-staff-record');
    expect(ownAccountRefusal(me, 's2', 'a1')?.rule).toBe('own-staff-record');
    expect(ownAccountRefusal(me, 's2', 'a2')).toBeUndefined();
    expect(ownAccountRefusal(me, 's2', null)).toBeUndefined();
    expect(ownAccountRefusal({ id: 's1', accountId: null }, 's2', 'a1')).toBeUndefined();
  });
});
