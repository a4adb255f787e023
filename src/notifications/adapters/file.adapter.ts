import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NotificationAdapter, OutgoingMessage } from './notification-adapter';

/**
 * Development inbox: one JSON line per message appended to NOTIFY_FILE. It
 * stands for the recipients' inboxes, so it holds the links it delivers.
 */
export class FileAdapter extends NotificationAdapter {
  constructor(private readonly file: string) {
    super();
  }

  async send(message: OutgoingMessage): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const line = {
      to: message.to,
      channel: message.channel,
      template: message.template,
      subject: message.subject,
      body: message.body,
      links: message.links,
      idempotencyKey: message.idempotencyKey,
      sentAt: new Date().toISOString(),
    };
    await appendFile(this.file, JSON.stringify(line) + '\n', { mode: 0o600 });
  }
}
