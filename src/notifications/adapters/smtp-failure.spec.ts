import type { OutgoingMessage } from './notification-adapter';
import { describeSmtpFailure } from './smtp-failure';

const TOKEN = 'rdd_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90Uv1';
const message: OutgoingMessage = {
  id: 'm1',
  idempotencyKey: 'proofing.otp:s1:1:email',
  channel: 'email',
  to: 'jane.doe@example.com',
  template: 'proofing.otp',
  subject: 'Your help-desk verification code',
  body: 'Your help-desk verification code is 48291375. Read it to the agent only if YOU called the help desk.',
  links: [`https://desk.example/r/${TOKEN}`],
};

/** Errors as nodemailer shapes them (code, command, response, responseCode, permanent). */
const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'failed')), fields);

describe('describeSmtpFailure', () => {
  it('is permanent for a 5xx refusal of the message, with the reply, the recipient masked', () => {
    const error = smtpError({
      code: 'EENVELOPE',
      command: 'RCPT TO',
      response: '550 5.1.1 <jane.doe@example.com>: Mailbox unavailable',
      responseCode: 550,
      permanent: true,
    });
    expect(describeSmtpFailure(error, message)).toEqual({ permanent: true, reason: 'RCPT TO answered 550 5.1.1 <j***@example.com>: Mailbox unavailable' });
  });

  it.each([
    ['a 4xx reply', { code: 'EENVELOPE', command: 'RCPT TO', response: '451 4.3.0 try again later', responseCode: 451, permanent: false }],
    ['503 bad sequence', { code: 'EPROTOCOL', response: '503 5.5.1 bad sequence of commands', responseCode: 503, permanent: false }],
    [
      'a refused login (our configuration, not the message)',
      { code: 'EAUTH', command: 'AUTH PLAIN', response: '535 5.7.8 authentication failed', responseCode: 535, permanent: true },
    ],
    ['a refused connection', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:2525' }],
    ['a timeout', { code: 'ETIMEDOUT', message: 'Greeting never received' }],
  ])('is transient for %s', (_name, fields) => {
    expect(describeSmtpFailure(smtpError(fields), message).permanent).toBe(false);
  });

  it('never repeats a secret of the message or the SMTP password, on one line', () => {
    const error = smtpError({
      code: 'EMESSAGE',
      command: 'DATA',
      response: `554 5.7.1 rejected: content "code is 48291375" link https://desk.example/r/${TOKEN} ${TOKEN.toLowerCase()}\r\nsee hunter2-password`,
      responseCode: 554,
      permanent: true,
    });
    const { permanent, reason } = describeSmtpFailure(error, message, 'hunter2-password');
    expect(permanent).toBe(true);
    for (const secret of ['48291375', TOKEN, TOKEN.toLowerCase(), 'hunter2-password', 'desk.example/r/']) expect(reason).not.toContain(secret);
    expect(reason).not.toMatch(/[\r\n]/);
    expect(reason).toContain('554 5.7.1 rejected');
  });
});
