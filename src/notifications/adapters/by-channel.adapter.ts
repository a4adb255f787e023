import { NotificationAdapter, OutgoingMessage } from './notification-adapter';

/** Hands each message to the adapter of its channel (e-mail over SMTP, SMS to the gateway or the inbox). */
export class ByChannelAdapter extends NotificationAdapter {
  constructor(private readonly adapters: Record<OutgoingMessage['channel'], NotificationAdapter>) {
    super();
  }

  send(message: OutgoingMessage): Promise<void> {
    return this.adapters[message.channel].send(message);
  }
}
