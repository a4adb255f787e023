import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TestApp } from './helpers/app';
import { ROOT } from './helpers/process';

/** The console's typed client is generated from the service's own OpenAPI document: `npm run api-types` rewrites it. */
const TYPES_FILE = join(ROOT, 'web', 'src', 'api', 'schema.d.ts');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(__filename);
});
afterAll(() => t?.close());

function generateTypes(document: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-openapi-'));
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
  const cli = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
  const run = spawnSync(process.execPath, [cli, join(dir, 'openapi.json'), '--output', join(dir, 'schema.d.ts')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openapi-typescript failed: ${run.stderr}`);
  return readFileSync(join(dir, 'schema.d.ts'), 'utf8');
}

describe("the console's API client", () => {
  it('is generated from the current OpenAPI document (run `npm run api-types` after changing a route or DTO)', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body;
    const generated = generateTypes(document);
    if (process.env.UPDATE_API_TYPES === '1') writeFileSync(TYPES_FILE, generated);
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(generated);
  });
});
