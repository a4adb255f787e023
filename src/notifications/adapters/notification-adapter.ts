/** A message as it leaves the service. `idempotencyKey` lets the receiver drop a redelivery. */
export interface OutgoingMessage {
  id: string;
  idempotencyKey: string;
  channel: 'email' | 'sms';
  to: string;
  template: string;
  subject: string;
  body: string;
  links: string[];
}

export abstract class NotificationAdapter {
  abstract send(message: OutgoingMessage): Promise<void>;
}
