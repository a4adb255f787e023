import { createTestApp, TestApp } from './helpers/app';
import { startProcess } from './helpers/process';

/** The CLI as an operator runs it: a real process against this file's database; every failure is one line and exit 1. */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp(__filename);
});
afterAll(() => t?.close());

async function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  const run = startProcess('dist/src/cli.js', args, t.env);
  const code = await run.exited;
  return { code, out: run.output().trim() };
}

const COMMANDS = [
  'staff:create',
  'staff:token:issue',
  'staff:token:revoke',
  'accounts:import',
  'audit:verify',
  'audit:keygen',
  'audit:witness',
  'codes:hygiene',
  'drill:run',
  'drill:report',
  'scim:connection-create',
  'scim:connection-revoke',
];

describe('the CLI', () => {
  it('prints the help with --help and exits 0, for the whole CLI and for each command', async () => {
    const all = await cli('--help');
    expect(all.code).toBe(0);
    for (const name of COMMANDS) expect(all.out).toContain(name);
    const one = await cli('staff:create', '--help');
    expect(one.code).toBe(0);
    expect(one.out).toContain('Usage: cli staff:create [options]');
    expect(one.out).toContain('--roles <roles>');
  });

  it('names an unknown command once, with the list of commands, and exits 1', async () => {
    const { code, out } = await cli('staff:delete');
    expect(code).toBe(1);
    expect(out).toBe(`Unknown command "staff:delete". Commands: ${COMMANDS.join(', ')} (npm run cli -- --help)`);
  });

  it.each<[string[], string | RegExp]>([
    [['staff:token:issue', 'not-a-uuid'], 'Refused: staffId must be a UUID (got "not-a-uuid")'],
    [['staff:token:issue', '00000000-0000-4000-8000-000000000000'], 'Refused: staff member 00000000-0000-4000-8000-000000000000 was not found'],
    [['staff:token:revoke', '00000000-0000-4000-8000-000000000000', '42'], 'Refused: tokenId must be a UUID (got "42")'],
    [['staff:create', '--name', 'Sam', '--roles', 'admin', '--account', 'x1'], 'Refused: --account names no account (give its externalId or id; got "x1")'],
    [
      ['staff:create', '--name', 'Sam', '--roles', 'agent'],
      /^Refused: a member with the agent role needs accountId .*\(staff rule ticket-roles-need-an-account\)$/,
    ],
    [
      ['staff:create', '--name', 'Sam', '--roles', 'auditor,approver', '--account', '00000000-0000-4000-8000-000000000000'],
      'Refused: --account names no account (give its externalId or id; got "00000000-0000-4000-8000-000000000000")',
    ],
    [['staff:create', '--name', 'Sam', '--roles', 'admin', '--days', 'ninety'], 'Refused: --days must be a whole number of 1 or more (got "ninety")'],
    [['staff:create', '--name', 'Sam', '--roles', 'wizard'], /^Refused: --roles must be a comma-separated list of agent, /],
    [['staff:create', '--name', 'Sam'], "error: required option '--roles <roles>' not specified"],
    [['audit:verify', '--loud'], "error: unknown option '--loud'"],
    [['drill:run', '--runner', 'robert', 'a.json'], 'Refused: --runner must be a UUID (got "robert")'],
    [['accounts:import', '/nonexistent/directory.csv'], "Failed: ENOENT: no such file or directory, open '/nonexistent/directory.csv'"],
  ])('refuses %j in one line with exit 1', async (args, expected) => {
    const { code, out } = await cli(...args);
    expect(code).toBe(1);
    expect(out.split('\n')).toHaveLength(1);
    if (typeof expected === 'string') expect(out).toBe(expected);
    else expect(out).toMatch(expected);
    expect(out).not.toMatch(/QueryFailedError|invalid input syntax|\bat \w+ \(/);
  });

  it('exits 0 and does the work when the command succeeds', async () => {
    const { code, out } = await cli('staff:create', '--name', 'Sam Operator', '--roles', 'auditor');
    expect(code).toBe(0);
    expect(out).toMatch(/^Created staff [0-9a-f-]{36} \(Sam Operator: auditor\)$/);
  });

  it('links a member to the account the directory calls E…, as the README walk-through does', async () => {
    const account = await t.createAccount();
    const { code, out } = await cli('staff:create', '--name', 'Ada Admin', '--roles', 'admin', '--account', account.externalId);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringMatching(/^Created staff [0-9a-f-]{36} \(Ada Admin: admin\)$/) });
    const { rows } = await t.db.query(`SELECT account_id FROM staff WHERE name = 'Ada Admin'`);
    expect(rows).toEqual([{ account_id: account.id }]);
    const both = await cli('staff:create', '--name', 'Al Auditor', '--roles', 'auditor,agent', '--account', account.externalId);
    expect(both).toEqual({ code: 1, out: expect.stringMatching(/\(staff rule drill-readers-do-not-work-tickets\)$/) });
  });
});
