import { open } from 'node:fs/promises';

/** One line of the file adapter's NOTIFY_FILE: what a recipient received. */
export interface InboxMessage {
  to: string;
  channel: 'email' | 'sms';
  template: string;
  body: string;
  links: string[];
}

interface Waiter {
  match: (message: InboxMessage) => boolean;
  resolve: (message: InboxMessage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The recipients' side of the development inbox: follows NOTIFY_FILE as the
 * worker's relay appends to it, and hands each message to whoever waits for
 * it (an agent waiting for the OTP the caller would read back, a manager for
 * their link). Messages of `kept` templates that nobody waits for yet are kept
 * until someone does; every message is counted by template.
 */
export class Inbox {
  readonly counts = new Map<string, number>();
  private offset = 0;
  private partial = '';
  private unclaimed: InboxMessage[] = [];
  private waiters: Waiter[] = [];
  private timer?: NodeJS.Timeout;
  private reading = false;

  constructor(
    private readonly file: string,
    private readonly kept: string[],
    private readonly pollMs = 10,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the inbox was closed'));
    }
  }

  /** The first message (already received, or still to come) that matches; rejects after `timeoutMs` or on `signal`. */
  waitFor(match: (message: InboxMessage) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<InboxMessage> {
    const index = this.unclaimed.findIndex(match);
    if (index >= 0) return Promise.resolve(this.unclaimed.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (message) => {
          signal?.removeEventListener('abort', abort);
          resolve(message);
        },
        reject,
        timer: setTimeout(() => {
          this.drop(waiter);
          reject(new Error(`no matching message within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      const abort = () => {
        clearTimeout(waiter.timer);
        this.drop(waiter);
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private drop(waiter: Waiter): void {
    this.waiters = this.waiters.filter((w) => w !== waiter);
  }

  private async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const handle = await open(this.file, 'r').catch(() => undefined); // not there before the first message
      if (!handle) return;
      try {
        const { size } = await handle.stat();
        if (size <= this.offset) return;
        const buffer = Buffer.alloc(size - this.offset);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        this.offset += bytesRead;
        const lines = (this.partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.deliver(JSON.parse(line) as InboxMessage);
      } finally {
        await handle.close();
      }
    } finally {
      this.reading = false;
    }
  }

  private deliver(message: InboxMessage): void {
    this.counts.set(message.template, (this.counts.get(message.template) ?? 0) + 1);
    const waiter = this.waiters.find((w) => w.match(message));
    if (waiter) {
      clearTimeout(waiter.timer);
      this.drop(waiter);
      waiter.resolve(message);
    } else if (this.kept.includes(message.template)) {
      this.unclaimed.push(message);
    }
  }
}
