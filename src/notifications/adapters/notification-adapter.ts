/** A message as it leaves the service. `idempotencyKey` lets the receiver drop a redelivery. */
export interface OutgoingMessage {
  id: string;
  idempotencyKey: string;
  channel: 'email' | 'sms';
  to: string;
  template: string;
  subject: string;
  body: string;
  /** The e-mail's HTML part; absent in messages written before templates had one. */
  html?: string;
  links: string[];
}

export abstract class NotificationAdapter {
  /** Resolves once the receiver accepted the message; throws to have it retried with back-off. */
  abstract send(message: OutgoingMessage): Promise<void>;
}

/**
 * The receiver refused this message for good (an SMTP 5xx reply such as 550
 * mailbox unavailable): retrying would be refused again, so the relay records
 * it as `failed` for an admin instead. The message must hold no secret: it is
 * stored and shown to admins.
 */
export class PermanentDeliveryFailure extends Error {
  override name = 'PermanentDeliveryFailure';
}
