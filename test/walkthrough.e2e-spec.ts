import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freshDatabase } from './helpers/database';
import { ROOT, RunningProcess, startCommand, startProcess } from './helpers/process';
import { freePort } from './helpers/own-services';
import { REDIS_URL, workerId } from './helpers/test-env';

/**
 * The README's curl walk-through, as a newcomer pastes it: every shell block marked `<!-- walk-through … -->` is
 * taken from README.md and run, in order, by one bash (set -e) in the repository's folder, against a started service
 * (a real process on its own database) on the port the blocks read from PORT.
 */
const MARKER = /<!-- walk-through:[^>]*-->\s*\n```sh\n([\s\S]*?)\n```/g;
const running: RunningProcess[] = [];

export function walkthroughBlocks(readme: string): string[] {
  return [...readme.matchAll(MARKER)].map((match) => match[1]);
}

/**
 * Run in the repository's folder as written, the service writes the development inbox (var/) and, as the README says,
 * .dev-secrets.json there: what this run made (and only that; a developer's own are left alone) goes afterwards.
 */
const MADE_IN_CHECKOUT = ['var/notifications.jsonl', 'var', '.dev-secrets.json'].map((path) => join(ROOT, path)).filter((path) => !existsSync(path));

afterAll(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const path of MADE_IN_CHECKOUT) rmSync(path, { recursive: true, force: true });
});

describe("the README's walk-through", () => {
  it('finds the marked blocks', () => {
    const blocks = walkthroughBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks.join('\n')).toContain('/v1/accounts');
  });

  it('runs as written against a started service', async () => {
    const port = await freePort();
    const env = {
      NODE_ENV: 'development',
      PORT: String(port),
      DATABASE_URL: await freshDatabase(`rd_test_walkthrough_w${workerId()}`),
      REDIS_URL,
      REDIS_PREFIX: `rdwalk${workerId()}`,
      CODE_PEPPER: 'walkthrough-test-pepper-0123456789abcdef',
      DELIVERY_KEY: randomBytes(32).toString('base64'),
      GRANT_SIGNING_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      // A witness of its own: the default (var/audit-witness in the checkout) would still hold an earlier run's
      // checkpoints, and the service rightly refuses to sign a log shorter than what its witness holds.
      AUDIT_WITNESS_DIR: mkdtempSync(join(tmpdir(), 'walkthrough-witness-')),
    };
    const service = startProcess('dist/src/main.js', [], env);
    running.push(service);
    await service.waitFor(/listening on/, 120_000);

    const script = ['set -euo pipefail', ...walkthroughBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'))].join('\n');
    const shell = startCommand('bash', ['-c', script], env);
    running.push(shell);
    const code = await shell.exited;
    const out = shell.output();
    expect({ code, out }).toEqual({ code: 0, out: expect.any(String) });
    expect(out).toMatch(/"displayName":"Jane Doe"[^}]*"email":"j\*\*\*@example\.com","phone":"\*\*\* \*\*\* \*\*34","masked":true/);
    expect(out).toContain('{"statusCode":403,"error":"Forbidden","code":"forbidden","message":"this route needs the role admin; this token has agent"}');
    expect(out).toMatch(/\{"ok":true,"checked":\d+,"checkpoints":\d+/);
    expect(out).toMatch(/"codes":\["[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"/);
    expect(out).toContain('{"valid":true,"remaining":9}');
    expect(out).toContain('"template":"codes.issued"'); // the development inbox the last line prints
  }, 300_000);
});
