import fc from 'fast-check';
import { maskEmail, maskPhone } from './masking';

describe('masking registered channels', () => {
  it('keeps the first letter and the domain of an e-mail', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskEmail('x@y.io')).toBe('x***@y.io');
    expect(maskEmail('broken')).toBe('***');
  });

  it('keeps only the last two digits of a phone number', () => {
    expect(maskPhone('+447700900234')).toBe('*** *** **34');
  });

  it('never reveals more than one character of the local part', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const at = email.lastIndexOf('@');
        expect(maskEmail(email)).toBe(`${email[0]}***${email.slice(at)}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('never reveals more than two digits of a phone number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), (phone) => {
        expect(maskPhone(phone).replace(/\D/g, '')).toBe(phone.slice(-2));
      }),
      { numRuns: 1000 },
    );
  });
});
