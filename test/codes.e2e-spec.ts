import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Account } from '../src/accounts/account.entity';
import { CLI } from '../src/audit/audit-actor';
import { CodeHasher } from '../src/codes/code-hasher';
import { displayCode, generateCodeSet, parseCode } from '../src/codes/code-format';
import { CodesService } from '../src/codes/codes.service';
import { createTestApp, TestApp } from './helpers/app';
import { eventually, untilWaitingOnLock } from './helpers/wait';

// The library object itself, so the spy sees every verify the service makes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const argon2 = require('argon2') as typeof import('argon2');

let t: TestApp;
let service: { Authorization: string };
let agent: { Authorization: string };
let auditor: { Authorization: string };

beforeAll(async () => {
  // The production argon2id parameters (unset: the defaults), not the suite's cheap ones: the enrolment test checks them.
  t = await createTestApp(__filename, { VERIFY_RATE_LIMIT: '60', ARGON2_MEMORY_KIB: '', ARGON2_TIME_COST: '' });
  service = { Authorization: `Bearer ${(await t.createStaff(['service'], { name: 'login app' })).token}` };
  agent = { Authorization: `Bearer ${(await t.createStaff(['agent'])).token}` };
  auditor = { Authorization: `Bearer ${(await t.createStaff(['auditor'])).token}` };
});
afterAll(() => t?.close());

async function enrol(account: Account): Promise<string[]> {
  const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
  for (const code of res.body.codes) t.secrets.add(code);
  return res.body.codes;
}

const INVALID = { valid: false, remaining: null };
/** A code of the set with one secret character changed: its lookup part finds the code's row, its hash fails. */
const wrongCode = (code: string) => code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');

/** Uses written while their hash runs (VerificationService.verifyUsingAhead), their transaction waiting for the verdict. */
async function usesAwaitingVerdict(): Promise<number> {
  const { rows } = await t.db.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%rd_lock_code_use%'`,
  );
  return rows[0].n;
}

/** Holds the first `first` argon2 verifies the service starts until release(); started(n) resolves once n are held. */
function holdHashes(first = Infinity) {
  const original = argon2.verify.bind(argon2);
  let gate!: () => void;
  const opened = new Promise<void>((resolve) => (gate = resolve));
  let count = 0;
  const spy = jest.spyOn(argon2, 'verify').mockImplementation(async (...args) => {
    count += 1;
    if (count <= first) await opened;
    return original(...args);
  });
  return {
    started: (n: number) => eventually(() => count >= n, `${n} hashes started`, 5_000),
    release: () => gate(),
    restore: () => {
      gate();
      spy.mockRestore();
    },
  };
}
const verify = (account: Account, code: string) => t.http().post(`/v1/accounts/${account.id}/codes/verify`).set(service).send({ code });

describe('enrolment', () => {
  it('returns N distinct, well-formed codes once, with the set’s facts and custody guidance', async () => {
    const account = await t.createAccount();
    const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(201);
    res.body.codes.forEach((c: string) => t.secrets.add(c));
    expect(res.body).toEqual({
      setId: expect.any(String),
      codes: expect.any(Array),
      count: 10,
      rotationDueAt: expect.any(String),
      custody: expect.stringMatching(/password manager.*never put them in e-mail/i),
    });
    expect(res.body.codes).toHaveLength(10);
    expect(new Set(res.body.codes).size).toBe(10);
    for (const code of res.body.codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const days = (Date.parse(res.body.rotationDueAt) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(180);

    // Stored only as peppered argon2id hashes of the secret part, at OWASP's parameters or stronger.
    const { rows } = await t.db.query('SELECT lookup, hash FROM backup_codes WHERE set_id = $1', [res.body.setId]);
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const stored = JSON.stringify(rows);
    for (const code of res.body.codes) expect(stored).not.toContain(code.replace(/-/g, '').slice(2));

    const current = await t.http().get(`/v1/accounts/${account.id}/code-sets/current`).set(agent).expect(200);
    expect(current.body).toMatchObject({ setId: res.body.setId, count: 10, remaining: 10, revokedAt: null });
    expect(JSON.stringify(current.body)).not.toContain(res.body.codes[0]);
  });

  it('refuses a second enrolment while a set is active (new codes come through a ticket), writing nothing', async () => {
    const account = await t.createAccount();
    await enrol(account);
    const before = await t.snapshot();
    const res = await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(service).expect(409);
    expect(res.body.message).toMatch(/new codes come only through a recovery ticket/);
    expect(await t.snapshot()).toEqual(before);
  });

  it('tells the subject on their registered e-mail and phone, through the outbox and the relay worker', async () => {
    const account = await t.createAccount();
    await enrol(account);
    const messages = await eventually(() => {
      const found = t.inbox().filter((m) => m.template === 'codes.issued' && [account.email, account.phone].includes(m.to));
      return found.length === 2 ? found : undefined;
    }, 'the codes.issued messages');
    expect(messages.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
  });

  it('is for the login application only', async () => {
    const account = await t.createAccount();
    await t.http().post(`/v1/accounts/${account.id}/code-sets`).set(agent).expect(403);
    await t.http().post(`/v1/accounts/00000000-0000-4000-8000-000000000000/code-sets`).set(service).expect(404);
  });
});

describe('verification', () => {
  it('accepts every code exactly once, counting down, then refuses it', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    for (const [i, code] of codes.entries()) {
      const res = await verify(account, code).expect(200);
      expect(res.body).toMatchObject({ valid: true, remaining: codes.length - 1 - i });
      if (codes.length - 1 - i <= 3) expect(res.body.warning).toMatch(/only \d+ unused codes remain/);
      else expect(res.body.warning).toBeUndefined();
    }
    for (const code of codes.slice(0, 4)) expect((await verify(account, code).expect(200)).body).toEqual({ valid: false, remaining: null });
    // Each use was audited and the subject told (a low count by its own notice), written with the use itself.
    const { rows } = await t.db.query(`SELECT payload FROM audit_events WHERE action = 'codes.used' AND target_id = $1 ORDER BY seq`, [account.id]);
    expect(rows.map((r: { payload: { remaining: number } }) => r.payload.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const told = (template: string) => t.inbox().filter((m) => m.to === account.email && m.template === template).length;
    await eventually(() => told('codes.used') + told('codes.low') === 10, 'a notice for every use');
    expect(told('codes.low')).toBe(4);
  });

  it('accepts the code as a person types it: lower case, spaces, look-alike letters', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    const typed = codes[0].toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect((await verify(account, typed).expect(200)).body.valid).toBe(true);
  });

  it('answers a wrong code, a malformed code and an unknown account the same way', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    const wrongSecret = codes[1].slice(0, 5) + (codes[1][5] === 'A' ? 'B' : 'A') + codes[1].slice(6);
    const answers = [
      (await verify(account, wrongSecret).expect(200)).body,
      (await verify(account, 'not a code').expect(200)).body,
      (await t.http().post('/v1/accounts/00000000-0000-4000-8000-000000000000/codes/verify').set(service).send({ code: codes[2] }).expect(200)).body,
    ];
    expect(answers).toEqual([INVALID, INVALID, INVALID]);
  });

  it('gives exactly one success to 50 concurrent uses of one code', async () => {
    const account = await t.createAccount();
    const [code] = await enrol(account);
    const responses = await Promise.all(Array.from({ length: 50 }, () => verify(account, code)));
    expect(responses.map((r) => r.status).filter((s) => s !== 200 && s !== 423)).toEqual([]);
    expect(responses.filter((r) => r.body.valid === true)).toHaveLength(1);
    const { rows } = await t.db.query(`SELECT count(*)::int AS used FROM backup_codes WHERE account_id = $1 AND used_at IS NOT NULL`, [account.id]);
    expect(rows[0].used).toBe(1);
  });

  it('costs exactly one argon2 verify per attempt, whatever the set size (10 or 50 codes)', async () => {
    const hasher = t.app.get(CodeHasher);
    const codesService = t.app.get(CodesService);
    const spy = jest.spyOn(argon2, 'verify');
    try {
      for (const size of [10, 50]) {
        const account = await t.createAccount();
        const generated = generateCodeSet(size);
        const prepared = { codes: generated, hashes: await hasher.hashAll(generated.map((c) => c.secret)) };
        await t.app.get(DataSource).transaction((em) => codesService.issueSet(em, account, prepared, CLI, null));
        const display = generated.map(displayCode);
        display.forEach((c) => t.secrets.add(c));
        const attempts = [display[size - 1], display[0].slice(0, 13) + (display[0].endsWith('A') ? 'B' : 'A'), 'garbage', display[3]];
        for (const attempt of attempts) {
          spy.mockClear();
          await verify(account, attempt).expect(200);
          expect(spy).toHaveBeenCalledTimes(1);
        }
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('brute-force lockout', () => {
  it('locks at the fifth failure, refuses without hashing while locked, tells the subject and security, and releases after the back-off', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    for (let i = 0; i < 4; i += 1) await verify(account, 'AAAA-AAAA-AAAA').expect(200);
    await verify(account, 'AAAA-AAAA-AAAA').expect(200); // the fifth failure locks
    const spy = jest.spyOn(argon2, 'verify');
    try {
      const locked = await verify(account, codes[0]).expect(423);
      expect(locked.body).toMatchObject({ statusCode: 423, message: expect.stringMatching(/locked after repeated failures/) });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(spy).not.toHaveBeenCalled(); // a locked account is not hashed against
    } finally {
      spy.mockRestore();
    }
    const audit = await t.http().get(`/v1/audit?action=codes.locked&target=${account.id}`).set(auditor).expect(200);
    expect(audit.body.items).toHaveLength(1);
    await eventually(() => t.inbox().some((m) => m.template === 'codes.locked' && m.to === account.phone), 'lock notice to the subject');
    await eventually(() => t.inbox().some((m) => m.template === 'security.account_locked' && m.body.includes(account.id)), 'alert to security');

    t.clock.advance(15 * 60_000 + 1_000);
    try {
      expect((await verify(account, codes[0]).expect(200)).body.valid).toBe(true);
    } finally {
      t.clock.reset();
    }
  });

  it('doubles the back-off when the account is locked again without a success in between', async () => {
    const account = await t.createAccount();
    await enrol(account);
    try {
      for (let i = 0; i < 5; i += 1) await verify(account, 'AAAA-AAAA-AAAA').expect(200);
      t.clock.advance(15 * 60_000 + 1_000);
      for (let i = 0; i < 5; i += 1) await verify(account, 'AAAA-AAAA-AAAA').expect(200);
      const res = await verify(account, 'AAAA-AAAA-AAAA').expect(423);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(29 * 60);
    } finally {
      t.clock.reset();
    }
  });

  it('counts concurrent failures exactly: 4 at once leave 4, 12 at once lock the account once', async () => {
    const guard = async (account: Account) =>
      (await t.db.query(`SELECT failures, lock_count FROM code_guards WHERE account_id = $1`, [account.id])).rows[0] as {
        failures: number;
        lock_count: number;
      };
    const few = await t.createAccount();
    await enrol(few);
    await Promise.all(Array.from({ length: 4 }, () => verify(few, 'AAAA-AAAA-AAAA').expect(200)));
    expect(await guard(few)).toEqual({ failures: 4, lock_count: 0 });

    const many = await t.createAccount();
    await enrol(many);
    const responses = await Promise.all(Array.from({ length: 12 }, () => verify(many, 'AAAA-AAAA-AAAA')));
    expect(responses.map((r) => r.status).filter((s) => s !== 200 && s !== 423)).toEqual([]);
    expect(await guard(many)).toEqual({ failures: 0, lock_count: 1 });
    const audit = await t.http().get(`/v1/audit?action=codes.locked&target=${many.id}`).set(auditor).expect(200);
    expect(audit.body.items).toHaveLength(1);
  });

  it('counts an attempt as a failure while its hash runs; a valid code then clears the count, a wrong one keeps it', async () => {
    const failures = async (account: Account) =>
      ((await t.db.query(`SELECT failures FROM code_guards WHERE account_id = $1`, [account.id])).rows[0] as { failures: number } | undefined)?.failures;
    const account = await t.createAccount();
    const codes = await enrol(account);
    for (let i = 0; i < 3; i += 1) await verify(account, 'AAAA-AAAA-AAAA').expect(200);
    // Hold the hash until the test has looked at the guard row.
    const held = holdHashes(1);
    try {
      const answer = verify(account, codes[0]).then((res) => res);
      await held.started(1);
      await eventually(async () => (await failures(account)) === 4, 'the attempt counted while its hash runs', 3_000);
      held.release();
      expect((await answer).body).toMatchObject({ valid: true, remaining: 9 });
      expect(await failures(account)).toBe(0);
    } finally {
      held.restore();
    }
    await verify(account, 'AAAA-AAAA-AAAA').expect(200);
    expect(await failures(account)).toBe(1); // counted once, not again after the verdict
    const audit = await t.http().get(`/v1/audit?action=codes.locked&target=${account.id}`).set(auditor).expect(200);
    expect(audit.body.items).toHaveLength(0);
  });

  it('writes a use while its hash runs and rolls it back when the hash fails: nothing of a wrong code remains but its failure', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    const held = holdHashes();
    try {
      const answer = verify(account, wrongCode(codes[0])).then((res) => res);
      await held.started(1);
      // The use's statement ran and its transaction waits for the verdict.
      await eventually(async () => (await usesAwaitingVerdict()) === 1, 'the use written while the hash runs', 3_000);
      held.release();
      expect((await answer).body).toEqual(INVALID);
    } finally {
      held.restore();
    }
    const { rows } = await t.db.query(
      `SELECT (SELECT count(*)::int FROM backup_codes WHERE account_id = $1 AND used_at IS NULL) AS unused,
              (SELECT count(*)::int FROM audit_events WHERE action = 'codes.used' AND target_id = $2) AS events,
              (SELECT count(*)::int FROM outbox WHERE idempotency_key LIKE 'codes.used:%' AND recipient = $3) AS notices,
              (SELECT failures FROM code_guards WHERE account_id = $1) AS failures`,
      [account.id, account.id, account.email],
    );
    expect(rows[0]).toEqual({ unused: 10, events: 0, notices: 0, failures: 1 });
    expect(await usesAwaitingVerdict()).toBe(0);
  });

  it('makes a use of the same set wait for the verdict of one whose hash runs: answers, events and notices say what truly remains', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    // A valid code whose hash is held, then a wrong one of the same set (its lookup part matches): each holds the set.
    for (const [held, expected] of [
      [codes[0], { valid: true, remaining: 9 }],
      [wrongCode(codes[1]), INVALID],
    ] as const) {
      const hashes = holdHashes(1); // the second attempt hashes at once, then waits for the first's verdict
      try {
        const first = verify(account, held).then((res) => res);
        await hashes.started(1);
        await eventually(async () => (await usesAwaitingVerdict()) === 1, 'the use written while the hash runs', 3_000);
        const second = verify(account, codes[2 + (held === codes[0] ? 0 : 1)]).then((res) => res);
        await untilWaitingOnLock(t.db, 'code_guards');
        hashes.release();
        expect((await first).body).toEqual(expected);
        expect((await second).body).toMatchObject({ valid: true, remaining: held === codes[0] ? 8 : 7 });
      } finally {
        hashes.restore();
      }
    }
    const { rows } = await t.db.query(
      `SELECT payload->>'remaining' AS remaining FROM audit_events WHERE action = 'codes.used' AND target_id = $1 ORDER BY seq`,
      [account.id],
    );
    expect(rows.map((r: { remaining: string }) => Number(r.remaining))).toEqual([9, 8, 7]);
    const { rows: notices } = await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE idempotency_key LIKE 'codes.used:%' AND recipient = $1`, [
      account.email,
    ]);
    expect(notices[0].n).toBe(3);
    expect((await verify(account, codes[0]).expect(200)).body).toEqual(INVALID); // used once, never again
  });

  it('holds as many uses open while their hashes run as hashes run at once; other attempts write after their hash', async () => {
    const atOnce = t.app.get(CodeHasher).concurrency;
    const attempts = atOnce + 2;
    const accounts = await Promise.all(Array.from({ length: attempts }, () => t.createAccount()));
    const codes = await Promise.all(accounts.map(enrol));
    const held = holdHashes();
    try {
      const answers = accounts.map((account, i) => verify(account, codes[i][0]).then((res) => res));
      await held.started(atOnce);
      // Every attempt is past its choice of path once its failure is counted ahead (both paths count it first).
      const counted = `SELECT count(*)::int AS n FROM code_guards WHERE account_id = ANY($1) AND failures = 1`;
      await eventually(async () => (await t.db.query(counted, [accounts.map((a) => a.id)])).rows[0].n === attempts, 'every attempt counted ahead');
      await eventually(async () => (await usesAwaitingVerdict()) >= atOnce, 'the uses written while hashing', 3_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await usesAwaitingVerdict()).toBe(atOnce);
      held.release();
      for (const answer of answers) expect((await answer).body).toMatchObject({ valid: true, remaining: 9 });
    } finally {
      held.restore();
    }
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'codes.used' AND target_id = ANY($1)`, [
      accounts.map((a) => a.id),
    ]);
    expect(rows[0].n).toBe(attempts);
    expect(await usesAwaitingVerdict()).toBe(0);
  });

  it('counts a use of another code of the set still in flight when its own comes: the uses of one set go one at a time', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    const { rows: sets } = await t.db.query(`SELECT id FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL`, [account.id]);
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      // Another code's use, in flight as a use holds it: the account's guard and the set locked, the code consumed,
      // not yet committed.
      await other.query('BEGIN');
      await other.query('SELECT rd_lock_code_use($1, $2)', [account.id, sets[0].id]);
      await other.query('UPDATE backup_codes SET used_at = now() WHERE set_id = $1 AND lookup = $2', [sets[0].id, parseCode(codes[1])!.lookup]);
      const answer = verify(account, codes[0]).then((res) => res);
      await untilWaitingOnLock(t.db, 'rd_lock_code_use');
      await other.query('COMMIT');
      expect((await answer).body).toMatchObject({ valid: true, remaining: 8 });
    } finally {
      await other.end();
    }
    const { rows } = await t.db.query(`SELECT payload->>'remaining' AS remaining FROM audit_events WHERE action = 'codes.used' AND target_id = $1`, [
      account.id,
    ]);
    expect(rows).toEqual([{ remaining: '8' }]);
  });

  it('refuses a code whose set was revoked while its use waited for the set', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      // A revocation in flight (an exposure report, a regeneration): the set's row updated, not yet committed.
      await other.query('BEGIN');
      await other.query(
        `UPDATE code_sets SET revoked_at = now(), revoked_by = 'test', revoke_reason = 'exposed' WHERE account_id = $1 AND revoked_at IS NULL`,
        [account.id],
      );
      const answer = verify(account, codes[0]).then((res) => res);
      await untilWaitingOnLock(t.db, 'rd_lock_code_use');
      await other.query('COMMIT');
      expect((await answer).body).toEqual(INVALID);
    } finally {
      await other.end();
    }
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM backup_codes WHERE account_id = $1 AND used_at IS NOT NULL`, [account.id]);
    expect(rows[0].n).toBe(0);
  });

  it('limits each caller per account per minute (429), in Redis', async () => {
    const account = await t.createAccount();
    const target = randomUUID();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      statuses.push((await t.http().post(`/v1/accounts/${target}/codes/verify`).set(service).send({ code: 'x' })).status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const throttled = await t.http().post(`/v1/accounts/${target}/codes/verify`).set(service).send({ code: 'x' }).expect(429);
    expect(throttled.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^too many requests; try again in \d+ s$/),
    });
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // another account is not throttled by it
    await verify(account, 'AAAA-AAAA-AAAA').expect(200);
  });
});

describe('revocation and exposure', () => {
  it('an agent reports exposure: the set is revoked at once, audited, the subject told, a reissue recorded', async () => {
    const account = await t.createAccount();
    const codes = await enrol(account);
    const res = await t.http().post(`/v1/accounts/${account.id}/code-sets/current/exposure`).set(agent).send({ reason: 'pasted into ticket 4411' }).expect(200);
    expect(res.body).toMatchObject({
      revokedSet: { revokedAt: expect.any(String), revokeReason: 'exposed: pasted into ticket 4411' },
      reissueRequestId: expect.any(String),
      ticketId: expect.any(String),
    });
    const { rows } = await t.db.query(`SELECT count(*)::int AS active FROM code_sets WHERE account_id = $1 AND revoked_at IS NULL`, [account.id]);
    expect(rows[0].active).toBe(0);
    expect((await verify(account, codes[0]).expect(200)).body).toEqual(INVALID);
    await t.http().get(`/v1/accounts/${account.id}/code-sets/current`).set(agent).expect(404);
    const request = await t.db.query(`SELECT account_id, source, ticket_id FROM reissue_requests WHERE id = $1`, [res.body.reissueRequestId]);
    expect(request.rows).toEqual([{ account_id: account.id, source: 'exposure', ticket_id: res.body.ticketId }]);
    // the reissue ticket is in the agents' queue
    const ticket = await t.http().get(`/v1/tickets/${res.body.ticketId}`).set(agent).expect(200);
    expect(ticket.body).toMatchObject({ state: 'open', reason: 'exposure', channel: 'self_service', account: { id: account.id } });
    const audit = await t.http().get(`/v1/audit?target=${account.id}`).set(auditor).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['codes.revoked', 'codes.exposed']));
    await eventually(() => t.inbox().some((m) => m.template === 'codes.exposed' && m.to === account.email), 'exposure notice');
    // and a second report has nothing left to revoke
    await t.http().post(`/v1/accounts/${account.id}/code-sets/current/exposure`).set(agent).send({ reason: 'again' }).expect(409);
  });

  it('keeps at most one active set per account, even against a direct INSERT', async () => {
    const account = await t.createAccount();
    await enrol(account);
    await expect(
      t.db.query(`INSERT INTO code_sets (account_id, code_count, issued_at, issued_by, rotation_due_at) VALUES ($1, 10, now(), 'psql', now())`, [account.id]),
    ).rejects.toThrow(/code_sets_one_active/);
  });

  it('records custody acknowledgement once', async () => {
    const account = await t.createAccount();
    await enrol(account);
    const first = await t.http().post(`/v1/accounts/${account.id}/code-sets/current/custody`).set(service).expect(200);
    expect(first.body.custodyAcknowledgedAt).toEqual(expect.any(String));
    const second = await t.http().post(`/v1/accounts/${account.id}/code-sets/current/custody`).set(service).expect(200);
    expect(second.body.custodyAcknowledgedAt).toBe(first.body.custodyAcknowledgedAt);
  });
});

describe('the code-hygiene report', () => {
  it('lists sets overdue for rotation, nearly used up, and accounts with none', async () => {
    const none = await t.createAccount();
    const low = await t.createAccount();
    const lowCodes = await enrol(low);
    for (const code of lowCodes.slice(0, 7)) await verify(low, code).expect(200);
    const fresh = await t.createAccount();
    await enrol(fresh);

    const now = await t.http().get('/v1/reports/code-hygiene').set(auditor).expect(200);
    const ids = (list: { accountId: string }[]) => list.map((e) => e.accountId);
    expect(ids(now.body.missing)).toContain(none.id);
    expect(ids(now.body.missing)).not.toContain(fresh.id);
    expect(now.body.nearlyUsedUp).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: low.id, remaining: 3 })]));
    expect(ids(now.body.nearlyUsedUp)).not.toContain(fresh.id);
    expect(ids(now.body.overdue)).not.toContain(fresh.id);

    const longLived = { Authorization: `Bearer ${(await t.createStaff(['auditor'], { expiresInDays: 365 })).token}` };
    t.clock.advance(181 * 86_400_000);
    try {
      const later = await t.http().get('/v1/reports/code-hygiene').set(longLived).expect(200);
      expect(ids(later.body.overdue)).toEqual(expect.arrayContaining([fresh.id, low.id]));
    } finally {
      t.clock.reset();
    }
    await t.http().get('/v1/reports/code-hygiene').set(agent).expect(403);
  });
});

describe('the code-hygiene CLI', () => {
  it('prints the same report from the server’s shell', async () => {
    const none = await t.createAccount({ displayName: 'Nobody Hascodes' });
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['dist/src/cli.js', 'codes:hygiene', '--json'],
        { cwd: `${__dirname}/..`, env: { ...process.env, ...t.env } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    const report = JSON.parse(output);
    expect(report.missing.map((e: { accountId: string }) => e.accountId)).toContain(none.id);
  });
});
