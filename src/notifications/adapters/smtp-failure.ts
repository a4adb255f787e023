import { maskEmail } from '../../accounts/masking';
import type { OutgoingMessage } from './notification-adapter';

/** What nodemailer attaches to the errors it throws (its NodemailerError), as far as we read it. */
interface SmtpError {
  code?: string;
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  permanent?: boolean;
  message?: string;
}

export interface SmtpFailure {
  /** The server refused this message for good: retrying would be refused again. */
  permanent: boolean;
  /** One line, safe to store and show to admins: no link, token, OTP or SMTP password. */
  reason: string;
}

const MAX_REASON = 300;

/**
 * Reads a failed send. Only a 5xx reply to the message itself (its envelope or
 * its data, e.g. 550 mailbox unavailable) is permanent; nodemailer already
 * counts 503 (bad command sequence) as transient. A refused login (535) is our
 * configuration, not the message: it is retried, so the messages go out once
 * the password is fixed. Connection failures and 4xx replies are transient.
 */
export function describeSmtpFailure(error: unknown, message: OutgoingMessage, password = ''): SmtpFailure {
  const e = (error ?? {}) as SmtpError;
  const permanent = e.permanent === true && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE');
  const what = e.response
    ? `${e.command ?? 'SMTP'} answered ${e.response}`
    : `SMTP ${e.code ?? 'error'}${e.originalCode ? ` (${e.originalCode})` : ''}: ${e.message ?? String(error)}`;
  return { permanent, reason: scrub(what, message, password) };
}

/**
 * Servers may echo what they were sent: every secret the message carries (its
 * links and their tokens, codes in its body) and the SMTP password are cut
 * out, and the recipient is masked as it is everywhere staff read it.
 */
function scrub(text: string, message: OutgoingMessage, password: string): string {
  const secrets = [
    ...message.links,
    ...message.links.map((link) => link.slice(link.lastIndexOf('/') + 1)),
    ...(message.body.match(/\d{6,}|rd[a-z]_[\w-]+/g) ?? []),
    password,
  ].filter((s) => s.length >= 4);
  let safe = text.replace(/[\r\n\t]+/g, ' ').replace(/\p{Cc}/gu, '');
  for (const secret of secrets.sort((a, b) => b.length - a.length)) safe = replaceAll(safe, secret, '[redacted]');
  if (message.to) safe = replaceAll(safe, message.to, maskEmail(message.to));
  return safe.length > MAX_REASON ? `${safe.slice(0, MAX_REASON - 1)}…` : safe;
}

/** Case-insensitive: servers may fold what they echo. */
const replaceAll = (text: string, find: string, by: string) => text.replace(new RegExp(find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), () => by);
