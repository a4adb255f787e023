import {
  AccountLocked,
  CodeNotAccepted,
  Conflict,
  Forbidden,
  InvalidTransition,
  ManagerChainViolation,
  NotTicketOwner,
  SeparationOfDutyViolation,
  snakeCase,
  TicketHeld,
} from './errors';

describe('domain error codes', () => {
  it.each([
    ['AccountLocked', 'account_locked'],
    ['SeparationOfDutyViolation', 'separation_of_duty_violation'],
    ['SCIMConflict', 'scim_conflict'],
    ['NotFound', 'not_found'],
    ['Gone', 'gone'],
  ])('derives %s → %s', (name, code) => {
    expect(snakeCase(name)).toBe(code);
  });

  it('answers a declared code where the class names a better one, the derived one otherwise', () => {
    expect(new SeparationOfDutyViolation('no').code).toBe('separation_of_duties');
    expect(new TicketHeld('open', 'claim', [], 'held').code).toBe('ticket_held');
    expect(new InvalidTransition('open', 'approve', ['claim']).code).toBe('invalid_transition');
    expect(new AccountLocked(new Date(1000), new Date(0)).code).toBe('account_locked');
    expect(new CodeNotAccepted('no').code).toBe('code_not_accepted');
    expect(new ManagerChainViolation('no').code).toBe('manager_chain');
    expect(new NotTicketOwner('no').code).toBe('not_ticket_owner');
  });

  it('gives a subclass added later its own code, not its parent declared one', () => {
    class ApproverIsSubject extends SeparationOfDutyViolation {}
    class BudgetSpent extends Conflict {}
    expect(new ApproverIsSubject('no').code).toBe('approver_is_subject');
    expect(new BudgetSpent('no').code).toBe('budget_spent');
    expect(new ApproverIsSubject('no')).toBeInstanceOf(Forbidden);
  });
});
