import { scoreDrill, ScoredEvent } from './scoring';

const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 10, 0, s));
const e = (action: string, payload: Record<string, unknown> = {}, s = 0, actorId = 'a1'): ScoredEvent => ({
  action,
  actorKind: 'staff',
  actorId,
  occurredAt: at(s),
  payload,
});

describe('scoreDrill', () => {
  it('fails at the first attested step an agent passed for the impostor', () => {
    expect(
      scoreDrill(
        [e('ticket.claim'), e('ticket.step_passed', { step: 'directory_facts' }, 1), e('ticket.step_passed', { step: 'government_id' }, 2)],
        'proofing',
      ),
    ).toEqual({
      outcome: 'failed',
      step: 'government_id',
      by: 'staff:a1',
      at: at(2),
    });
  });

  it('fails when an approver approves, even before the quota is reached', () => {
    expect(scoreDrill([e('ticket.signed', { decision: 'approve' }, 5, 'ap1')], 'awaiting_approval')).toMatchObject({
      outcome: 'failed',
      step: 'approval',
      by: 'staff:ap1',
    });
  });

  it('passes when a system-verified step stops the impostor, or staff deny or flag', () => {
    expect(scoreDrill([e('ticket.step_failed_check', { step: 'registered_channel_otp' }, 3)], 'denied')).toMatchObject({
      outcome: 'passed',
      step: 'registered_channel_otp',
    });
    expect(scoreDrill([e('ticket.flag', {}, 3)], 'denied')).toMatchObject({ outcome: 'passed', step: 'flag' });
    expect(scoreDrill([e('ticket.signed', { decision: 'deny' }, 3)], 'denied')).toMatchObject({ outcome: 'passed', step: 'approval' });
    expect(scoreDrill([e('ticket.deny', {}, 3)], 'denied')).toMatchObject({ outcome: 'passed', step: 'deny' });
  });

  it('is undecided while nothing decisive happened, inconclusive if it ended anyway', () => {
    expect(scoreDrill([e('ticket.claim'), e('ticket.step_passed', { step: 'directory_facts' })], 'proofing')).toBeUndefined();
    expect(scoreDrill([e('ticket.expire')], 'expired')).toEqual({ outcome: 'inconclusive', step: null, by: null, at: null, reason: 'the ticket expired' });
  });

  it('is inconclusive, pre-empted by a real request, when a real ticket superseded it before anything decisive', () => {
    expect(scoreDrill([e('ticket.claim'), e('ticket.supersede')], 'superseded')).toEqual({
      outcome: 'inconclusive',
      step: null,
      by: null,
      at: null,
      reason: 'pre-empted by a real request',
    });
    // decided first, superseded later: the decision stands
    expect(scoreDrill([e('ticket.flag', {}, 3), e('ticket.supersede')], 'superseded')).toMatchObject({ outcome: 'passed', step: 'flag' });
  });
});
