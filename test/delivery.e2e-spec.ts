import { createServer, IncomingMessage, Server } from 'node:http';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Account } from '../src/accounts/account.entity';
import { SYSTEM } from '../src/audit/audit-actor';
import { displayCode } from '../src/codes/code-format';
import { CodesService } from '../src/codes/codes.service';
import { DeliveryService } from '../src/delivery/delivery.service';
import { OutboxService } from '../src/notifications/outbox.service';
import { SealingKeys } from '../src/notifications/sealing-keys';
import { QUEUE } from '../src/queue/queues';
import { SweepProcessor } from '../src/sweep/sweep.processor';
import { createTestApp, TestApp } from './helpers/app';
import { eventually } from './helpers/wait';

let t: TestApp;
let service: { Authorization: string };
const GONE = { statusCode: 410, error: 'Gone', code: 'gone', message: 'this delivery link is not valid: it was used already, has expired, or never existed' };

beforeAll(async () => {
  t = await createTestApp(__filename, { LINK_RATE_LIMIT: '60' });
  service = { Authorization: `Bearer ${(await t.createStaff(['service'])).token}` };
});
afterAll(() => t?.close());

/** What the regeneration job does: revoke, issue, seal into an envelope, in one transaction. */
async function reissueWithDelivery(account: Account): Promise<{ codes: string[]; envelopeId: string }> {
  const codesService = t.app.get(CodesService);
  const prepared = await codesService.prepareSet();
  const codes = prepared.codes.map(displayCode);
  codes.forEach((c) => t.secrets.add(c));
  const envelopeId = await t.app.get(DataSource).transaction(async (em) => {
    await codesService.revokeActiveSet(em, account.id, SYSTEM, 'reissued');
    const set = await codesService.issueSet(em, account, prepared, SYSTEM, null);
    return t.app.get(DeliveryService).createEnvelope(em, account, set.id, codes);
  });
  return { codes, envelopeId };
}

async function linkFor(account: Account): Promise<string> {
  const message = await eventually(() => t.inbox().find((m) => m.template === 'delivery.link' && m.to === account.email), 'the delivery link');
  const token = message.links[0].replace('http://desk.test/r/', '');
  t.secrets.add(token);
  return token;
}

const redeem = (token: string) => t.http().post('/v1/deliveries/redeem').send({ token });

describe('one-time delivery', () => {
  it('sends the link only to the registered e-mail, never the codes, and redeems exactly once', async () => {
    const account = await t.createAccount();
    const { codes } = await reissueWithDelivery(account);
    const token = await linkFor(account);
    const message = t.inbox().find((m) => m.template === 'delivery.link' && m.to === account.email)!;
    expect(message.links).toEqual([expect.stringMatching(/^http:\/\/desk\.test\/r\/rdd_[A-Za-z0-9_-]{43}$/)]);
    for (const code of codes) expect(JSON.stringify(message)).not.toContain(code);
    expect(t.inbox().filter((m) => m.template === 'delivery.link' && m.to !== account.email)).toEqual([]);

    const first = await redeem(token).expect(200);
    expect(first.body.codes).toEqual(codes);
    expect((await t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code: codes[0] }).expect(200)).body.valid).toBe(true);

    expect((await redeem(token).expect(410)).body).toEqual(GONE);
    expect((await redeem('rdd_never-issued-never-issued-never-issued-123').expect(410)).body).toEqual(GONE);
    const { rows } = await t.db.query(`SELECT ciphertext, redeemed_at, erased_at FROM delivery_envelopes WHERE account_id = $1`, [account.id]);
    expect(rows).toEqual([{ ciphertext: null, redeemed_at: expect.any(Date), erased_at: expect.any(Date) }]);
  });

  it('gives the codes to exactly one of 20 concurrent redeems', async () => {
    const account = await t.createAccount();
    await reissueWithDelivery(account);
    const token = await linkFor(account);
    const responses = await Promise.all(Array.from({ length: 20 }, () => redeem(token)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 410)).toHaveLength(19);
  });

  it('erases expired envelopes in the sweep; an expired link answers as a used one', async () => {
    const account = await t.createAccount();
    const { envelopeId } = await reissueWithDelivery(account);
    const token = await linkFor(account);
    t.clock.advance(24 * 3_600_000 + 1_000);
    try {
      expect((await redeem(token).expect(410)).body).toEqual(GONE); // expired before the sweep ran
      const result = await t.app.get(SweepProcessor).process();
      expect(result.envelopesErased).toBeGreaterThanOrEqual(1);
    } finally {
      t.clock.reset();
    }
    const { rows } = await t.db.query(`SELECT ciphertext, erased_at, redeemed_at FROM delivery_envelopes WHERE id = $1`, [envelopeId]);
    expect(rows).toEqual([{ ciphertext: null, erased_at: expect.any(Date), redeemed_at: null }]);
    expect((await redeem(token).expect(410)).body).toEqual(GONE);
  });

  it('keeps at most one envelope per set', async () => {
    const account = await t.createAccount();
    await reissueWithDelivery(account);
    const [{ set_id }] = (await t.db.query(`SELECT set_id FROM delivery_envelopes WHERE account_id = $1`, [account.id])).rows;
    await expect(t.app.get(DataSource).transaction((em) => t.app.get(DeliveryService).createEnvelope(em, account, set_id, ['X']))).rejects.toThrow(
      /delivery_envelopes_one_per_set/,
    );
  });
});

describe('rate limiting of the link route', () => {
  it('refuses a client past its per-minute limit (429), whatever the token', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 61; i += 1) statuses.push((await redeem(`rdd_guess-${i}-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`)).status);
    expect(statuses).toContain(429);
    expect(statuses.slice(0, statuses.indexOf(429)).every((s) => s === 410)).toBe(true);
  });
});

describe('the outbox', () => {
  it('writes a message only with the change that causes it: a rolled-back change leaves none', async () => {
    const account = await t.createAccount();
    const outbox = t.app.get(OutboxService);
    const key = `test.rollback:${account.id}`;
    await expect(
      t.app.get(DataSource).transaction(async (em) => {
        await outbox.write(em, { channel: 'email', to: account.email, template: 'codes.revoked', vars: { name: 'x', reason: 'test' }, idempotencyKey: key });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE idempotency_key = $1`, [key]);
    expect(rows[0].n).toBe(0);
  });

  it('delivers a committed message once, even when written twice with one idempotency key', async () => {
    const account = await t.createAccount();
    const outbox = t.app.get(OutboxService);
    const key = `test.twice:${account.id}`;
    for (let i = 0; i < 2; i += 1) {
      await t.app
        .get(DataSource)
        .transaction((em) =>
          outbox.write(em, { channel: 'email', to: account.email, template: 'codes.revoked', vars: { name: 'x', reason: 'test' }, idempotencyKey: key }),
        );
    }
    await eventually(() => t.inbox().some((m) => m.idempotencyKey === key), 'the message');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.inbox().filter((m) => m.idempotencyKey === key)).toHaveLength(1);
    const { rows } = await t.db.query(`SELECT attempts, delivered_at FROM outbox WHERE idempotency_key = $1`, [key]);
    expect(rows).toEqual([{ attempts: 1, delivered_at: expect.any(Date) }]);
  });

  /**
   * A committed message row, sealed as the outbox seals one, written straight to the table: nothing hands it to the
   * queue unless the test does (handOff) or the sweep finds it. `ageSeconds` back-dates it, as a stranded one would be.
   */
  async function committedMessage(key: string, to: string, body: string, ageSeconds = 0): Promise<string> {
    const sealed = t.app.get(SealingKeys).outbox.seal(JSON.stringify({ subject: 's', body, links: [] }), key);
    const { rows } = await t.db.query(
      `INSERT INTO outbox (idempotency_key, channel, recipient, template, sealed_body, created_at)
       VALUES ($1, 'email', $2, 'codes.revoked', $3, now() - make_interval(secs => $4)) RETURNING id`,
      [key, to, sealed, ageSeconds],
    );
    return rows[0].id as string;
  }

  /** One committed message for each of `accounts`, keyed `prefix:accountId`. */
  async function committedMessages(prefix: string, accounts: Account[]): Promise<{ id: string; key: string }[]> {
    const messages = [];
    for (const account of accounts) {
      const key = `${prefix}:${account.id}`;
      messages.push({ id: await committedMessage(key, account.email, `message for ${account.id}`), key });
    }
    return messages;
  }

  it('hands messages committed a moment apart to the queue in one round trip, and delivers each', async () => {
    const accounts = [await t.createAccount(), await t.createAccount(), await t.createAccount()];
    const messages = await committedMessages('test.batch', accounts);
    const outbox = t.app.get(OutboxService);
    const queue = t.app.get<Queue>(getQueueToken(QUEUE.notifications));
    const adds = jest.spyOn(queue, 'add');
    const bulks = jest.spyOn(queue, 'addBulk');
    try {
      const manager = t.app.get(DataSource).manager;
      outbox.handOff(manager, [messages[0].id]);
      outbox.handOff(manager, [messages[1].id, messages[2].id]);
      expect(adds.mock.calls.length + bulks.mock.calls.length).toBe(0); // after the caller's own work, not inside it
      for (const { key } of messages) await eventually(() => t.inbox().some((m) => m.idempotencyKey === key), `the message ${key}`);
      // Only the calls carrying these jobs: the sweep may enqueue other stranded messages meanwhile.
      const enqueued = (jobIds: string[]) => ({
        bulks: bulks.mock.calls.map(([jobs]) => jobs.map((job) => job.opts?.jobId)).filter((ids) => ids.some((id) => jobIds.includes(id!))),
        adds: adds.mock.calls.map(([, , opts]) => opts?.jobId).filter((id) => jobIds.includes(id!)),
      });
      const batch = messages.map(({ id }) => `outbox-${id}`);
      expect(enqueued(batch)).toEqual({ bulks: [batch], adds: [] });

      // One message alone is one add.
      const [single] = await committedMessages('test.single', [await t.createAccount()]);
      outbox.handOff(manager, [single.id]);
      await eventually(() => t.inbox().some((m) => m.idempotencyKey === single.key), 'the single message');
      expect(enqueued([`outbox-${single.id}`])).toEqual({ bulks: [], adds: [`outbox-${single.id}`] });
    } finally {
      adds.mockRestore();
      bulks.mockRestore();
    }
  });

  it('enqueues a hand-off still waiting for its batch when the process shuts down, before the queues close', async () => {
    const [message] = await committedMessages('test.shutdown', [await t.createAccount()]);
    const outbox = t.app.get(OutboxService);
    const adds = jest.spyOn(t.app.get<Queue>(getQueueToken(QUEUE.notifications)), 'add');
    try {
      outbox.handOff(t.app.get(DataSource).manager, [message.id]);
      expect(adds).not.toHaveBeenCalled();
      const closing = outbox.beforeApplicationShutdown();
      expect(adds.mock.calls.map(([, , opts]) => opts?.jobId)).toEqual([`outbox-${message.id}`]); // at once, not on the timer
      await closing;
      await expect(adds.mock.results[0].value).resolves.toBeDefined();
      await eventually(() => t.inbox().some((m) => m.idempotencyKey === message.key), 'the message');
    } finally {
      adds.mockRestore();
    }
  });

  it('is swept: a message whose job never reached Redis (crash after commit) is enqueued and delivered', async () => {
    const account = await t.createAccount();
    const key = `test.stranded:${account.id}`;
    await committedMessage(key, account.email, 'stranded message', 60);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.inbox().some((m) => m.idempotencyKey === key)).toBe(false); // nothing enqueued it
    const result = await t.app.get(SweepProcessor).process();
    expect(result.notificationsRequeued).toBeGreaterThanOrEqual(1);
    await eventually(() => t.inbox().some((m) => m.idempotencyKey === key && m.body === 'stranded message'), 'the swept message');
  });

  it('keeps message content sealed in the table', async () => {
    const account = await t.createAccount();
    await reissueWithDelivery(account);
    const token = await linkFor(account);
    const { rows } = await t.db.query(`SELECT sealed_body::text AS raw FROM outbox WHERE recipient = $1`, [account.email]);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.raw).not.toContain(token);
  });
});

describe('the webhook adapter', () => {
  // Exercised directly against a real HTTP server: the signature, the idempotency key, and a failure as an error.
  let server: Server;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let failNext = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = failNext-- > 0 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('signs each POST with HMAC-SHA256 and carries the idempotency key; a non-2xx is an error to retry', async () => {
    const { WebhookAdapter } = jest.requireActual(
      '../src/notifications/adapters/webhook.adapter',
    ) as typeof import('../src/notifications/adapters/webhook.adapter');
    const { createHmac } = jest.requireActual('node:crypto') as typeof import('node:crypto');
    const secret = 'w'.repeat(40);
    const { port } = server.address() as { port: number };
    const adapter = new WebhookAdapter(`http://127.0.0.1:${port}/hook`, secret);
    const message = {
      id: 'm1',
      idempotencyKey: 'codes.issued:s1:email',
      channel: 'email' as const,
      to: 'a@example.com',
      template: 'codes.issued',
      subject: 's',
      body: 'b',
      links: [],
    };
    failNext = 1;
    await expect(adapter.send(message)).rejects.toThrow('webhook answered 503');
    await adapter.send(message);
    expect(received).toHaveLength(2);
    const last = received[1];
    expect(last.headers['idempotency-key']).toBe('codes.issued:s1:email');
    expect(last.headers['x-signature']).toBe(`sha256=${createHmac('sha256', secret).update(last.body).digest('hex')}`);
    expect(JSON.parse(last.body)).toMatchObject({ to: 'a@example.com', template: 'codes.issued' });
  });
});
