import { createHash } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import { NotificationAdapter, OutgoingMessage, PermanentDeliveryFailure } from './notification-adapter';
import { describeSmtpFailure } from './smtp-failure';

/**
 * E-mail over SMTP (nodemailer), text and HTML parts. Each message carries its
 * idempotency key (`X-Idempotency-Key`) and a Message-ID derived from it, so a
 * retried or resent message is the same message to the receiver, which can
 * drop the duplicate. A 5xx refusal of the message is a PermanentDeliveryFailure;
 * anything else throws to be retried. Errors never carry nodemailer's own text
 * as is: only a scrubbed one-line reason (see smtp-failure.ts).
 */
export class SmtpAdapter extends NotificationAdapter {
  private readonly transport: Transporter;
  private readonly password: string;
  private readonly messageIdDomain: string;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    super();
    // A connection per message, no pool: a server that comes back is used by the very next retry, and a
    // failure belongs to one message only. Short timeouts: the relay holds the outbox row's lock while sending.
    this.transport = createTransport({
      url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      logger: false,
      debug: false,
      // Message content never makes nodemailer read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.password = decodeURIComponent(new URL(url).password);
    this.messageIdDomain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'recovery-desk.invalid';
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (message.channel !== 'email') throw new PermanentDeliveryFailure(`the smtp adapter sends e-mail only, not ${message.channel}`);
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: [message.body, ...message.links].join('\n\n'),
        ...(message.html ? { html: message.html } : {}),
        messageId: messageIdFor(message.idempotencyKey, this.messageIdDomain),
        headers: { 'X-Idempotency-Key': message.idempotencyKey, 'Auto-Submitted': 'auto-generated' },
      });
    } catch (error) {
      const failure = describeSmtpFailure(error, message, this.password);
      throw failure.permanent ? new PermanentDeliveryFailure(failure.reason) : new Error(failure.reason);
    }
  }
}

/** Stable per idempotency key (a key may hold characters a Message-ID may not, so it is hashed). */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}>`;
}
