import { Staff } from '../staff/staff.entity';
import { agentRefusal, approvalRefusal, cancellerRole, managerChainRefusal } from './separation-of-duties';

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

describe('the subject’s reporting line', () => {
  it('refuses anyone linked to the subject’s manager or above; a peer, or a member with no account, is not refused here', () => {
    const chain = ['acc-manager', 'acc-director'];
    expect(managerChainRefusal(staff('m', 'acc-manager'), chain)).toMatch(/^one person, one control: nobody in the subject's reporting line/);
    expect(managerChainRefusal(staff('d', 'acc-director'), chain)).toBeDefined();
    expect(managerChainRefusal(staff('p', 'acc-peer'), chain)).toBeUndefined();
    expect(managerChainRefusal(staff('n'), chain)).toBeUndefined();
  });
});

describe('who cancels a live ticket', () => {
  const admin = Object.assign(staff('admin-9'), { roles: ['admin'] });
  it('the assigned agent, or before anyone claims it its opener; an admin always; nobody else', () => {
    expect(cancellerRole(staff('agent-1'), { assignedTo: 'agent-1', openedBy: 'staff:opener-1' })).toBe('owner');
    expect(cancellerRole(staff('opener-1'), { assignedTo: 'agent-1', openedBy: 'staff:opener-1' })).toBeUndefined();
    expect(cancellerRole(staff('opener-1'), { assignedTo: null, openedBy: 'staff:opener-1' })).toBe('owner');
    expect(cancellerRole(staff('other'), { assignedTo: null, openedBy: 'staff:opener-1' })).toBeUndefined();
    expect(cancellerRole(staff('other'), { assignedTo: null, openedBy: 'subject:acc-1' })).toBeUndefined();
    expect(cancellerRole(admin, { assignedTo: 'agent-1', openedBy: 'staff:opener-1' })).toBe('admin');
  });
});
