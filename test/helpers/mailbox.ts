import type { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Arrival {
  rcptTo: string[];
  raw: string;
  mail: ParsedMail;
  key: string;
}

/**
 * A real SMTP server in the test process: records what arrives (parsed), and
 * refuses chosen recipients with a chosen reply, a number of times or for good.
 * Restarts on the same port, as a mail server coming back would.
 */
export class Mailbox {
  readonly arrivals: Arrival[] = [];
  readonly rcptAttempts: string[] = [];
  readonly refusals = new Map<string, { code: number; times: number }>();
  port = 0;
  private server?: SMTPServer;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onRcptTo: (address, _session, callback) => {
        this.rcptAttempts.push(address.address);
        const refusal = this.refusals.get(address.address);
        if (!refusal || refusal.times <= 0) return callback();
        refusal.times -= 1;
        const text = refusal.code >= 500 ? '5.1.1 Mailbox unavailable' : '4.2.1 Mailbox busy, try again later';
        callback(Object.assign(new Error(text), { responseCode: refusal.code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then((mail) => {
            // Recorded before the server answers 250: a message the service counts as sent is here.
            this.arrivals.push({
              rcptTo: session.envelope.rcptTo.map((a) => a.address),
              raw: raw.toString('utf8'),
              mail,
              key: String(mail.headers.get('x-idempotency-key')),
            });
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  withKey(key: string): Arrival[] {
    return this.arrivals.filter((a) => a.key === key);
  }
}

/** The links of a mail's HTML part, as a mail client shows them to the person who clicks. */
export function linksIn(arrival: Arrival): string[] {
  const html = typeof arrival.mail.html === 'string' ? arrival.mail.html : '';
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
}
