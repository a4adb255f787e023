import { custodianCodesRefusal } from './custodian-codes';

const DAY = 86_400_000;
const now = new Date('2026-12-01T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe('custodian codes rule', () => {
  it.each([
    ['held before being added and 7 days old', { addedAt: ago(1), issuedAt: ago(7), throughRecoveryTicket: false }, undefined],
    ['held before being added, 30 days old', { addedAt: ago(10), issuedAt: ago(30), throughRecoveryTicket: false }, undefined],
    ['held before being added but 6 days old', { addedAt: ago(1), issuedAt: ago(6), throughRecoveryTicket: false }, /less than 7 days ago/],
    ['issued after being added, however old', { addedAt: ago(60), issuedAt: ago(30), throughRecoveryTicket: false }, /after they were added/],
    ['issued the same instant as being added', { addedAt: ago(30), issuedAt: ago(30), throughRecoveryTicket: false }, /after they were added/],
    ['issued through a recovery ticket after being added, today', { addedAt: ago(30), issuedAt: now, throughRecoveryTicket: true }, undefined],
  ])('%s', (_, facts, expected) => {
    const refusal = custodianCodesRefusal(facts, now, 7);
    if (expected === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toMatch(expected);
  });

  it('names the rule in every refusal', () => {
    expect(custodianCodesRefusal({ addedAt: ago(1), issuedAt: ago(2), throughRecoveryTicket: false }, now, 7)).toContain(
      "a custodian's codes count only from a set held before they were added and at least 7 days old, or issued through a recovery ticket",
    );
  });
});
