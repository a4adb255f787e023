import fc from 'fast-check';
import {
  Actor,
  allowedEvents,
  decide,
  GuardFacts,
  guardHolds,
  guardsOf,
  renderMermaid,
  TERMINAL_STATES,
  TICKET_EVENTS,
  TICKET_STATES,
  TRANSITIONS,
} from './ticket.machine';

const ACTORS: Actor[] = ['agent', 'owner', 'approver', 'admin', 'system', 'subject'];
const FACT_NAMES: (keyof GuardFacts)[] = ['needsApproval', 'approvalsReached', 'allStepsPassed', 'coolingOffElapsed', 'heldBySignal'];
/** Every combination of the guard facts. */
const FACTS: GuardFacts[] = FACT_NAMES.reduce<Partial<GuardFacts>[]>(
  (all, name) =>
    all.flatMap((f) => [
      { ...f, [name]: false },
      { ...f, [name]: true },
    ]),
  [{}],
) as GuardFacts[];

describe('the ticket transition table', () => {
  it('answers every (state, event, actor, facts) combination, and at most one row ever applies', () => {
    for (const state of TICKET_STATES)
      for (const event of TICKET_EVENTS)
        for (const actor of ACTORS)
          for (const facts of FACTS) {
            const decision = decide(state, event, actor, facts);
            const rows = TRANSITIONS.filter((t) => t.from === state && t.event === event && t.by.includes(actor));
            if (decision.ok) {
              expect(rows).toContain(decision.transition);
            } else {
              expect(decision.allowedEvents).toEqual(allowedEvents(state));
            }
            // determinism: for any facts, no two rows of the same (state, event, actor) both hold
            const holding = rows.filter((t) => guardsOf(t).every((g) => guardHolds(g, facts)));
            expect(holding.length).toBeLessThanOrEqual(1);
          }
  });

  it('refuses every pair that has no row with the events that are allowed', () => {
    const decision = decide('completed', 'approve', 'approver', FACTS[0]);
    expect(decision).toEqual({ ok: false, reason: 'not_allowed_in_state', allowedEvents: [] });
    const wrongActor = decide('awaiting_approval', 'approve', 'agent', { ...FACTS[0], approvalsReached: true });
    expect(wrongActor).toMatchObject({ ok: false, reason: 'actor_not_allowed', allowedEvents: ['approve', 'deny', 'cancel', 'expire', 'supersede'] });
  });

  it('has no way out of a terminal state', () => {
    for (const state of TERMINAL_STATES) expect(allowedEvents(state)).toEqual([]);
  });

  it('reaches every state from open', () => {
    const reached = new Set(['open']);
    for (let i = 0; i < TICKET_STATES.length; i += 1) for (const t of TRANSITIONS) if (reached.has(t.from)) reached.add(t.to);
    expect([...reached].sort()).toEqual([...TICKET_STATES].sort());
  });

  it('lets only the service move a ticket into and through regeneration, and only approvers approve', () => {
    for (const t of TRANSITIONS) {
      if (['regenerating', 'completed', 'failed'].includes(t.to)) expect(t.by).toEqual(['system']);
      if (t.event === 'approve') expect(t.by).toEqual(['approver']);
      if (t.to === 'approved' && t.event !== 'retry' && t.event !== 'hold')
        expect(t.effects).toEqual(expect.arrayContaining(['fix_approved_facts', 'schedule_regeneration']));
    }
  });

  it('fixes what an approval relied on before telling the subject, and a hold after approval never schedules a regeneration', () => {
    for (const t of TRANSITIONS.filter((row) => row.effects?.includes('fix_approved_facts'))) {
      expect(t.to).toBe('approved');
      expect(t.effects!.indexOf('fix_approved_facts')).toBeLessThan(t.effects!.indexOf('notify_subject_approved'));
    }
    const hold = TRANSITIONS.filter((t) => t.event === 'hold');
    expect(hold).toEqual([expect.objectContaining({ from: 'regenerating', to: 'approved', by: ['system'], effects: ['alert_security'] })]);
    expect(decide('approved', 'start_regeneration', 'system', { ...FACTS[0], coolingOffElapsed: true, heldBySignal: true })).toMatchObject({
      ok: false,
      failedGuards: ['not:heldBySignal'],
    });
  });

  it('a live ticket is cancelled by its owner, an admin, the subject or the service, never by any other agent', () => {
    for (const t of TRANSITIONS.filter((row) => row.event === 'cancel')) expect(t.by).not.toContain('agent');
    for (const state of ['open', 'proofing', 'awaiting_approval'] as const) expect(decide(state, 'cancel', 'owner', FACTS[0]).ok).toBe(true);
    expect(decide('approved', 'cancel', 'owner', FACTS[0])).toMatchObject({ ok: false, reason: 'actor_not_allowed' });
  });

  it('skips approval only when the tier needs none, and approves only when enough approvers agreed and nothing holds the ticket', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FACTS), (facts) => {
        const passed = decide('proofing', 'steps_passed', 'system', facts);
        expect(passed.ok && passed.transition.to).toBe(facts.needsApproval ? 'awaiting_approval' : 'approved');
        const approved = decide('awaiting_approval', 'approve', 'approver', facts);
        expect(approved.ok).toBe(facts.approvalsReached && !facts.heldBySignal);
      }),
    );
  });

  it('a ticket held by a risk signal cannot be claimed or approved, and says why; deny, cancel, release and expire still work', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FACTS.filter((f) => f.heldBySignal)), (facts) => {
        const claim = decide('open', 'claim', 'agent', facts);
        expect(claim).toMatchObject({ ok: false, reason: 'guard_failed', failedGuards: ['not:heldBySignal'] });
        const approve = decide('awaiting_approval', 'approve', 'approver', facts);
        expect(approve).toMatchObject({ ok: false, reason: 'guard_failed', failedGuards: expect.arrayContaining(['not:heldBySignal']) });
        for (const [state, event, actor] of [
          ['open', 'cancel', 'owner'],
          ['open', 'expire', 'system'],
          ['proofing', 'release', 'agent'],
          ['proofing', 'deny', 'agent'],
          ['awaiting_approval', 'deny', 'approver'],
          ['awaiting_approval', 'expire', 'system'],
        ] as const) {
          expect(decide(state, event, actor, facts).ok).toBe(true);
        }
      }),
    );
    expect(decide('open', 'claim', 'agent', { ...FACTS[0], heldBySignal: false }).ok).toBe(true);
  });

  it('renders as a Mermaid diagram naming every transition', () => {
    const diagram = renderMermaid();
    expect(diagram.startsWith('stateDiagram-v2')).toBe(true);
    for (const t of TRANSITIONS) expect(diagram).toContain(`${t.from} --> ${t.to}: ${t.event}`);
  });
});
