import { Account } from '../src/accounts/account.entity';
import { maskEmail } from '../src/accounts/masking';
import { messageIdFor } from '../src/notifications/adapters/smtp.adapter';
import { SweepProcessor } from '../src/sweep/sweep.processor';
import { createTestApp, TestApp } from './helpers/app';
import { Mailbox } from './helpers/mailbox';
import { Auth, bearer, Desk } from './helpers/desk';
import { eventually } from './helpers/wait';

const mailbox = new Mailbox();
let t: TestApp;
let desk: Desk;
let service: Auth;
let agent: Auth;
const admin = () => bearer(t.adminToken);

beforeAll(async () => {
  await mailbox.start();
  t = await createTestApp(__filename, {
    NOTIFY_ADAPTER: 'smtp',
    SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
    SMTP_FROM: 'Recovery desk <desk@recovery.test>',
    // Back-off from 100 ms instead of 1 s, and 6 attempts (3.1 s in all) instead of 10, so outages and giving up fit in the test.
    NOTIFY_RETRY_DELAY_MS: '100',
    NOTIFY_RETRY_ATTEMPTS: '6',
    LINK_RATE_LIMIT: '1000',
  });
  desk = new Desk(t);
  service = bearer((await t.createStaff(['service'])).token);
  agent = bearer((await t.createStaff(['agent'])).token);
});
afterAll(async () => {
  await t?.close();
  await mailbox.stop();
});

async function enrol(account: Account): Promise<string> {
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  res.body.codes.forEach((c: string) => t.secrets.add(c));
  return res.body.setId;
}

const outboxRows = async (keys: string[]) =>
  (await t.db.query(`SELECT id, idempotency_key, status, attempts, last_error FROM outbox WHERE idempotency_key = ANY($1)`, [keys])).rows as {
    id: string;
    idempotency_key: string;
    status: string;
    attempts: number;
    last_error: string | null;
  }[];

const arrivalFor = (account: Account, keyPrefix: string) =>
  eventually(() => mailbox.arrivals.find((a) => a.key.startsWith(keyPrefix) && a.rcptTo.includes(account.email)), `the ${keyPrefix} e-mail`);

describe('e-mail over SMTP', () => {
  it('mails the OTP and then the delivery link to the registered address only, as text and HTML; the link gives the codes once', async () => {
    const account = await t.createAccount({ tier: 'standard' });
    const before = mailbox.arrivals.length;
    await enrol(account);
    const ticket = await desk.open(agent, account, { callback: { email: 'impostor@evil.test', phone: '+15555550199' } });
    await desk.claim(agent);
    await t.http().post(`/v1/tickets/${ticket.id}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'email' }).expect(200);

    const otpMail = await arrivalFor(account, 'proofing.otp:');
    const otp = /code is (\d{6,8})/.exec(otpMail.mail.text ?? '')![1];
    t.secrets.add(otp);
    expect(otpMail.mail.subject).toBe('Your help-desk verification code');
    expect(otpMail.mail.html).toContain(`code is ${otp}`);
    await desk.submit(agent, ticket.id, 'registered_channel_otp', { code: otp }).expect(200);
    await desk.passDirectory(agent, ticket.id, account);
    await desk.waitFor(ticket.id, 'completed');

    const deliveryMail = await arrivalFor(account, 'delivery.link:');
    const token = /http:\/\/desk\.test\/r\/(rdd_[A-Za-z0-9_-]+)/.exec(deliveryMail.mail.text ?? '')![1];
    t.secrets.add(token);
    expect(deliveryMail.mail.html).toContain(`href="http://desk.test/r/${token}"`);
    expect(deliveryMail.mail.subject).toBe('Your new backup codes are ready');
    expect(deliveryMail.key).toMatch(/^delivery\.link:[0-9a-f-]{36}:email$/);
    expect(deliveryMail.mail.messageId).toBe(messageIdFor(deliveryMail.key, 'recovery.test'));
    expect(deliveryMail.mail.from?.value).toEqual([{ name: 'Recovery desk', address: 'desk@recovery.test' }]);

    const redeemed = await t.http().post('/v1/deliveries/redeem').send({ token }).expect(200);
    const codes: string[] = redeemed.body.codes;
    codes.forEach((c) => t.secrets.add(c));
    expect(codes).toHaveLength(10);
    await t.http().post('/v1/deliveries/redeem').send({ token }).expect(410);

    const arrived = mailbox.arrivals.slice(before);
    // The security contact hears that the login application's service token was issued (its own alert, its own address).
    const toSecurity = arrived.filter((a) => a.key.endsWith(':security'));
    expect(toSecurity.map((a) => [a.key.split(':')[0], a.rcptTo])).toEqual([['service-token-issued', ['security@example.com']]]);
    const mine = arrived.filter((a) => !toSecurity.includes(a));
    expect(mine.map((a) => a.key.split(':')[0])).toEqual(expect.arrayContaining(['codes.issued', 'ticket.opened', 'proofing.otp', 'delivery.link']));
    for (const mail of mine) {
      expect(mail.rcptTo).toEqual([account.email]); // the registered address, never the caller's
      expect(mail.mail.text).toBeTruthy();
      expect(mail.mail.html).toBeTruthy();
      expect(mail.key).toMatch(/:email$/);
      for (const secret of [otp, token]) expect(mail.mail.subject).not.toContain(secret);
      for (const code of codes) for (const form of [code, code.replace(/-/g, '')]) expect(mail.raw).not.toContain(form);
    }
    expect(mailbox.rcptAttempts).not.toContain('impostor@evil.test');
    // SMS do not go over SMTP: without a gateway they reach the file inbox, as without the smtp adapter.
    expect(t.inbox().some((m) => m.template === 'ticket.opened' && m.channel === 'sms' && m.to === account.phone)).toBe(true);
    expect(t.inbox().some((m) => m.channel === 'email')).toBe(false);
  });

  it('keeps messages in the outbox while the server is down and delivers each exactly once when it is back', async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, () => t.createAccount()));
    await mailbox.stop();
    const keys: string[] = [];
    for (const account of accounts) keys.push(`codes.issued:${await enrol(account)}:email`);
    const waiting = await eventually(async () => {
      const rows = await outboxRows(keys);
      return rows.length === 4 && rows.every((r) => r.status === 'pending' && r.attempts >= 2) ? rows : undefined;
    }, 'failed attempts recorded while the server is down');
    for (const row of waiting) expect(row.last_error).toMatch(/ECONNREFUSED/);
    expect(keys.flatMap((k) => mailbox.withKey(k))).toEqual([]);

    await mailbox.start(); // the same port
    await eventually(async () => (await outboxRows(keys)).every((r) => r.status === 'sent'), 'delivery after the server came back', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(keys.map((k) => mailbox.withKey(k).length)).toEqual([1, 1, 1, 1]);
  });

  it('retries a 4xx reply with back-off until the server takes it', async () => {
    const account = await t.createAccount();
    mailbox.refusals.set(account.email, { code: 451, times: 2 });
    const key = `codes.issued:${await enrol(account)}:email`;
    await eventually(async () => (await outboxRows([key]))[0]?.status === 'sent', 'delivery after two deferrals');
    expect(await outboxRows([key])).toEqual([expect.objectContaining({ status: 'sent', attempts: 3, last_error: null })]);
    expect(mailbox.withKey(key)).toHaveLength(1);
  });

  it('gives up after the last attempt when the server keeps deferring, and marks the message failed', async () => {
    const account = await t.createAccount();
    mailbox.refusals.set(account.email, { code: 451, times: Number.POSITIVE_INFINITY });
    const key = `codes.issued:${await enrol(account)}:email`;
    const [row] = await eventually(async () => {
      const rows = await outboxRows([key]);
      return rows[0]?.status === 'failed' ? rows : undefined;
    }, 'the message to be given up');
    expect(row).toMatchObject({ attempts: 6, last_error: 'gave up after its last retry: RCPT TO answered 451 4.2.1 Mailbox busy, try again later' });
    expect(mailbox.rcptAttempts.filter((a) => a === account.email)).toHaveLength(6);
    expect(mailbox.withKey(key)).toEqual([]);
  });
});

describe('a permanent refusal (550)', () => {
  let account: Account;
  let ticketId: string;
  let failed: { id: string; idempotency_key: string };
  let cancelToken: string;

  beforeAll(async () => {
    account = await t.createAccount();
    mailbox.refusals.set(account.email, { code: 550, times: Number.POSITIVE_INFINITY });
    ticketId = (await desk.open(agent, account)).id;
    failed = await eventually(
      async () =>
        (await t.db.query(`SELECT id, idempotency_key FROM outbox WHERE ticket_id = $1 AND channel = 'email' AND status = 'failed'`, [ticketId])).rows[0],
      'the refused message to be failed',
    );
    // The same notice reached the phone (file inbox): its "not me" link is the secret the outbox must not show.
    const sms = await eventually(() => t.inbox().find((m) => m.template === 'ticket.opened' && m.to === account.phone), 'the sms copy');
    cancelToken = sms.links[0].split('/c/')[1];
    t.secrets.add(cancelToken);
  });

  it('is recorded as failed with the reply, and not retried, not even by the sweep', async () => {
    const [row] = await outboxRows([failed.idempotency_key]);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: `RCPT TO answered 550 5.1.1 Mailbox unavailable` });
    t.clock.advance(5 * 60_000);
    try {
      await t.app.get(SweepProcessor).process();
    } finally {
      t.clock.reset();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(mailbox.rcptAttempts.filter((a) => a === account.email)).toHaveLength(1);
    expect((await outboxRows([failed.idempotency_key]))[0].status).toBe('failed');
  });

  it('is shown to admins in GET /v1/outbox?status=failed, masked and without content; agents get 403', async () => {
    const res = await t.http().get('/v1/outbox?status=failed').set(admin()).expect(200);
    expect(res.body.items.find((m: { id: string }) => m.id === failed.id)).toEqual({
      id: failed.id,
      channel: 'email',
      recipient: maskEmail(account.email),
      template: 'ticket.opened',
      status: 'failed',
      attempts: 1,
      lastError: 'RCPT TO answered 550 5.1.1 Mailbox unavailable',
      createdAt: expect.any(String),
      sentAt: null,
      failedAt: expect.any(String),
      ticketId,
    });
    expect(res.body.items.every((m: { status: string }) => m.status === 'failed')).toBe(true);
    const text = JSON.stringify(res.body);
    for (const secret of [cancelToken, account.email, 'desk.test/c/', 'If this was NOT you']) expect(text).not.toContain(secret);
    await t.http().get('/v1/outbox?status=failed').set(agent).expect(403);
    await t.http().get('/v1/outbox').expect(401);
  });

  it('pages newest first by cursor, and refuses a bad status or cursor with 400', async () => {
    const first = await t.http().get('/v1/outbox?limit=2').set(admin()).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await t.http().get(`/v1/outbox?limit=2&cursor=${first.body.nextCursor}`).set(admin()).expect(200);
    const ids = [...first.body.items, ...second.body.items].map((m: { id: string }) => m.id);
    expect(new Set(ids).size).toBe(4);
    const times = [...first.body.items, ...second.body.items].map((m: { createdAt: string }) => m.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    await t.http().get('/v1/outbox?status=lost').set(admin()).expect(400);
    await t.http().get('/v1/outbox?cursor=bm90LWEtY3Vyc29y').set(admin()).expect(400);
    await t
      .http()
      .get(`/v1/outbox?cursor=${Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url')}`)
      .set(admin())
      .expect(400);
  });

  it('is sent again by an admin resend with the same idempotency key, once, and audited', async () => {
    await t.http().post(`/v1/outbox/${failed.id}/resend`).set(agent).expect(403);
    mailbox.refusals.delete(account.email); // the mailbox was fixed
    const res = await t.http().post(`/v1/outbox/${failed.id}/resend`).set(admin()).expect(200);
    expect(res.body).toMatchObject({ id: failed.id, status: 'pending', failedAt: null, lastError: expect.stringContaining('550') });
    await eventually(async () => (await outboxRows([failed.idempotency_key]))[0].status === 'sent', 'the resent message');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const arrivals = mailbox.withKey(failed.idempotency_key);
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0].rcptTo).toEqual([account.email]);
    expect(arrivals[0].mail.text).toContain(`/c/${cancelToken}`);
    expect((await outboxRows([failed.idempotency_key]))[0]).toMatchObject({ attempts: 2, last_error: null });

    const again = await t.http().post(`/v1/outbox/${failed.id}/resend`).set(admin()).expect(409);
    expect(again.body).toMatchObject({ statusCode: 409, details: { status: 'sent' } });
    await t.http().post('/v1/outbox/00000000-0000-4000-8000-000000000000/resend').set(admin()).expect(404);
    await t.http().post('/v1/outbox/not-a-uuid/resend').set(admin()).expect(400);

    const audit = await t.http().get(`/v1/audit?target=${failed.id}`).set(admin()).expect(200);
    expect(audit.body.items.map((e: { action: string; actorKind: string }) => [e.action, e.actorKind])).toEqual([
      ['outbox.resent', 'staff'],
      ['outbox.failed', 'system'],
    ]);
    expect(JSON.stringify(audit.body)).not.toContain(cancelToken);
  });
});
