import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Client, Notification } from 'pg';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { configureHttpApp } from '../src/http-app';
import { StaffTokenCache } from '../src/staff/staff-token-cache';
import { createTestApp, TestApp } from './helpers/app';
import { eventually } from './helpers/wait';

/**
 * Each API process remembers the staff tokens it verified. These tests run a second API instance on the same
 * database beside the test app (as a second process would) and change staff and tokens on one side, over the API
 * or by hand in SQL, to show the other side stops trusting what it remembered as soon as the change commits.
 */
let t: TestApp;
let other: NestExpressApplication;
beforeAll(async () => {
  t = await createTestApp(__filename);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRole('api')] }).compile();
  other = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, bodyParser: false });
  configureHttpApp(other);
  await other.init();
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/**
 * A change reaches another process as a notification PostgreSQL delivers after the commit: within milliseconds, not
 * before the committing client hears back (docs/security.md). Each check waits for it, for at most a second.
 */
const NOTIFIED_WITHIN_MS = 1_000;
const answersSoon = (app: NestExpressApplication, path: string, token: string, status: number) =>
  eventually(
    async () => (await request(app.getHttpServer()).get(path).set(bearer(token))).status === status,
    `${path} answering ${status}`,
    NOTIFIED_WITHIN_MS,
  );
const cacheOf = (app: NestExpressApplication) => app.get(StaffTokenCache);

/** Asks `app` until its cache is listening and answers this token from memory. */
async function warm(app: NestExpressApplication, token: string, path = '/v1/accounts'): Promise<void> {
  await eventually(async () => {
    const before = cacheOf(app).stats.hits;
    await request(app.getHttpServer()).get(path).set(bearer(token)).expect(200);
    return cacheOf(app).stats.hits > before;
  }, 'the token answered from memory');
}

describe('the staff-token cache', () => {
  it('answers a known token from memory: no query to authenticate it', async () => {
    const { token } = await t.createStaff(['agent']);
    await warm(t.app, token);
    const { hits, misses } = cacheOf(t.app).stats;
    for (let i = 0; i < 5; i += 1) await t.http().get('/v1/accounts').set(bearer(token)).expect(200);
    expect(cacheOf(t.app).stats.hits).toBe(hits + 5);
    expect(cacheOf(t.app).stats.misses).toBe(misses);
  });

  it('the process that revokes a token refuses it at once, without waiting for the notification', async () => {
    const { staff, token } = await t.createStaff(['agent']);
    await warm(t.app, token);
    const [{ id }] = (await t.db.query(`SELECT id FROM staff_tokens WHERE staff_id = $1`, [staff.id])).rows as { id: string }[];
    // The notification is held back, as when the listener's socket is read only after the next request.
    const listener = (cacheOf(t.app) as unknown as { listener: Client }).listener;
    const handlers = listener.listeners('notification') as ((message: Notification) => void)[];
    listener.removeAllListeners('notification');
    try {
      await t.http().delete(`/v1/staff/${staff.id}/tokens/${id}`).set(bearer(t.adminToken)).expect(200);
      await t.http().get('/v1/accounts').set(bearer(token)).expect(401);
    } finally {
      handlers.forEach((handler) => listener.on('notification', handler));
    }
  });

  it('a token revoked through one process is refused by another that had it in memory, once the commit is notified', async () => {
    const { staff, token } = await t.createStaff(['agent']);
    await warm(other, token);
    const [{ id }] = (await t.db.query(`SELECT id FROM staff_tokens WHERE staff_id = $1`, [staff.id])).rows as { id: string }[];
    await t.http().delete(`/v1/staff/${staff.id}/tokens/${id}`).set(bearer(t.adminToken)).expect(200);
    await answersSoon(other, '/v1/accounts', token, 401);
    const refused = await request(other.getHttpServer()).get('/v1/accounts').set(bearer(token)).expect(401);
    expect(refused.body.message).toBe('token is unknown, expired or revoked');
  });

  it('a member deactivated by hand in SQL, or given other roles, is refused by both processes once the commit is notified', async () => {
    const { staff, token } = await t.createStaff(['agent']);
    await warm(t.app, token);
    await warm(other, token);

    await t.db.query(`UPDATE staff SET roles = '{auditor}' WHERE id = $1`, [staff.id]);
    for (const app of [t.app, other]) await answersSoon(app, '/v1/accounts', token, 403);

    await t.db.query(`UPDATE staff SET active = false WHERE id = $1`, [staff.id]);
    for (const app of [t.app, other]) {
      await answersSoon(app, '/v1/audit', token, 401);
      const res = await request(app.getHttpServer()).get('/v1/audit').set(bearer(token)).expect(401);
      expect(res.body.message).toBe('token belongs to a deactivated staff member');
    }
  });

  it('a token read from the database while a change commits is not kept', async () => {
    const { token } = await t.createStaff(['agent']);
    const cache = cacheOf(t.app);
    await warm(t.app, token);
    cache.forget();
    const generation = cache.begin();
    await t.db.query(`UPDATE staff SET name = name WHERE false`); // a statement-level trigger fires even for no row
    await eventually(() => cache.begin() > generation, 'the notification of the change');
    const misses = cache.stats.misses;
    await t.http().get('/v1/accounts').set(bearer(token)).expect(200);
    expect(cache.stats.misses).toBe(misses + 1);
    // The request above read at the newest generation, so it is kept; an entry offered with the old one is not.
    const hash = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()][0];
    cache.forget();
    cache.put(hash, {} as never, generation, Date.now());
    expect((cache as unknown as { entries: Map<string, unknown> }).entries.size).toBe(0);
  });

  it('an expired token is refused even while it is remembered', async () => {
    const { token } = await t.createStaff(['agent'], { expiresInDays: 1 });
    await warm(t.app, token);
    await t.clock.shifted(24 * 3_600_000 + 1_000, () => t.http().get('/v1/accounts').set(bearer(token)).expect(401));
  });
});
