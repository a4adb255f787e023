import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAPIObject } from '@nestjs/swagger';
import { serializeApiDocument } from '../src/api-document';
import { createTestApp, TestApp } from './helpers/app';
import { ROOT } from './helpers/process';

/**
 * The API contract is published with the repository: docs/openapi.json is the document the service serves, the
 * console's typed client is generated from it, and it passes Redocly's `recommended` rules. A change to a route or
 * DTO shows in review as a change to these two files; `npm run api-types` rewrites both (and then checks them).
 */
const DOCUMENT_FILE = join(ROOT, 'docs', 'openapi.json');
const TYPES_FILE = join(ROOT, 'web', 'src', 'api', 'schema.d.ts');
const UPDATE = process.env.UPDATE_API_TYPES === '1';
const REGENERATE = 'run `npm run api-types` and commit docs/openapi.json and web/src/api/schema.d.ts';

let t: TestApp;
let served: string;
beforeAll(async () => {
  t = await createTestApp(__filename);
  served = serializeApiDocument((await t.http().get('/docs-json').expect(200)).body as OpenAPIObject);
  if (UPDATE) {
    writeFileSync(DOCUMENT_FILE, served);
    writeFileSync(TYPES_FILE, generateTypes(DOCUMENT_FILE));
  }
});
afterAll(() => t?.close());

function generateTypes(documentFile: string): string {
  const output = join(mkdtempSync(join(tmpdir(), 'rd-openapi-')), 'schema.d.ts');
  const cli = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
  const run = spawnSync(process.execPath, [cli, documentFile, '--output', output], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openapi-typescript failed: ${run.stderr}`);
  return readFileSync(output, 'utf8');
}

/** Where two texts first differ, a few lines either side: enough to see which route or schema changed. */
function firstDifference(expected: string, actual: string, expectedIs: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let line = 0;
  while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
  const around = (lines: string[]) => lines.slice(Math.max(0, line - 3), line + 4).join('\n');
  return `first difference at line ${line + 1}\n--- ${expectedIs}\n${around(a)}\n--- committed\n${around(b)}`;
}

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
}

describe('the API contract', () => {
  it('docs/openapi.json is the document the service serves', () => {
    const committed = readFileSync(DOCUMENT_FILE, 'utf8');
    if (committed !== served)
      throw new Error(`docs/openapi.json is not what /docs-json serves: ${REGENERATE}.\n${firstDifference(served, committed, 'served')}`);
  });

  it("the console's client types are generated from docs/openapi.json", () => {
    const generated = generateTypes(DOCUMENT_FILE);
    const committed = readFileSync(TYPES_FILE, 'utf8');
    if (committed !== generated) throw new Error(`web/src/api/schema.d.ts is stale: ${REGENERATE}.\n${firstDifference(generated, committed, 'generated')}`);
  });

  it("passes Redocly's recommended rules with no error and no warning (redocly.yaml; reasoned exceptions in .redocly.lint-ignore.yaml)", () => {
    const cli = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const run = spawnSync(process.execPath, [cli, 'lint', 'docs/openapi.json', '--format=json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const json = run.stdout.slice(run.stdout.indexOf('{'));
    let report: LintReport;
    try {
      report = JSON.parse(json) as LintReport;
    } catch {
      throw new Error(`redocly lint printed no report (exit ${run.status}): ${run.stderr}${run.stdout}`);
    }
    const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location.map((l) => l.pointer).join(', ')}: ${p.message}`);
    if (problems.length)
      throw new Error(
        `docs/openapi.json fails \`npx redocly lint docs/openapi.json\`: fix the route's decorators or DTO, then ${REGENERATE}.\n${problems.join('\n')}`,
      );
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(run.status).toBe(0);
  });
});
