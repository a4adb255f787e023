import { Staff } from '../staff/staff.entity';
import { agentRefusal, approvalRefusal } from './separation-of-duties';

const staff = (id: string, accountId: string | null = null) => Object.assign(new Staff(), { id, accountId, roles: ['approver', 'agent'], active: true });
const ticket = {
  accountId: 'acc-1',
  openedBy: 'opener-1',
  assignedTo: 'agent-1',
  proofedBy: ['agent-2'],
  signedBy: ['approver-1'],
  clearedHoldsBy: ['admin-1'],
  attestedBy: ['acc-manager'],
};

describe('separation of duties', () => {
  it.each([
    [staff('x', 'acc-1'), 'the subject of a ticket cannot approve it'],
    [staff('agent-1'), 'the agent who proofed a ticket cannot approve it'],
    [staff('agent-2'), 'the agent who proofed a ticket cannot approve it'],
    [staff('approver-1'), 'each approver signs a ticket once; another approver must'],
    [staff('admin-1'), 'the admin who cleared a hold on a ticket (or asked for it to be cleared) cannot approve it'],
    [staff('opener-1'), 'one person, one control: the staff member who opened a ticket cannot approve it'],
    [staff('approver-4', 'acc-manager'), 'one person, one control: the manager who answered the attestation cannot also approve'],
    [staff('approver-2'), undefined],
    [staff('approver-3', 'acc-other'), undefined],
  ])('approval by %o → %s', (who, refusal) => {
    expect(approvalRefusal(who, ticket)).toBe(refusal);
  });

  it('refuses work on one’s own account', () => {
    expect(agentRefusal(staff('a', 'acc-1'), 'acc-1')).toMatch(/own account/);
    expect(agentRefusal(staff('a', 'acc-2'), 'acc-1')).toBeUndefined();
    expect(agentRefusal(staff('a'), 'acc-1')).toBeUndefined();
  });
});
