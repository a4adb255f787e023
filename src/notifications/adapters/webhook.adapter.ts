import { createHmac } from 'node:crypto';
import { NotificationAdapter, OutgoingMessage } from './notification-adapter';

/** Signed HTTP POST to a messaging gateway: `X-Signature: sha256=<HMAC of the body>`, `Idempotency-Key`. */
export class WebhookAdapter extends NotificationAdapter {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 5_000,
  ) {
    super();
  }

  async send(message: OutgoingMessage): Promise<void> {
    const body = JSON.stringify({
      to: message.to,
      channel: message.channel,
      template: message.template,
      subject: message.subject,
      body: message.body,
      links: message.links,
    });
    const signature = createHmac('sha256', this.secret).update(body).digest('hex');
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': message.idempotencyKey,
        'X-Signature': `sha256=${signature}`,
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }
}
