import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/process';

/**
 * The import-direction check fails the build (docs/layers.md): probe modules with an upward import, linted as if they
 * were files in the real folders (the zones match on paths; nothing is written), must each be reported by the rule
 * they break, and the allowed directions beside them must pass. Cycles: the script, on a throwaway project (it counts
 * every import, so it catches what ESLint's import-x/no-cycle catches and the type-only cycles too).
 */
const PROBES: Record<string, string> = {
  'src/common/probe.ts': "import { Staff } from '../staff/staff.entity';\nexport const probe = Staff;\n",
  'src/config/probe.ts': "import { isSystemVerified } from '../tickets/proofing/step-catalogue';\nexport const probe = isSystemVerified;\n",
  'src/database/probe.ts': "import { Ticket } from '../tickets/ticket.entity';\nexport const probe = Ticket;\n",
  'src/tickets/probe-registry.ts': "import { ENTITIES } from '../database/schema';\nexport const probe = ENTITIES;\n",
  'src/tickets/probe-setup.ts': "import { ensureDatabase } from '../database/prepare';\nexport const probe = ensureDatabase;\n",
  'src/tickets/probe-root.ts': "import { foundationImports } from '../app.module';\nexport const probe = foundationImports;\n",
  'src/tickets/probe-test.ts': "import { ROOT } from '../../test/helpers/process';\nexport const probe = ROOT;\n",
  // Allowed: a feature uses the foundation and the database helpers; src/docs/ may import anything.
  'src/tickets/probe-allowed.ts':
    "import { updateReturning } from '../database/sql';\nimport { Conflict } from '../common/errors';\nexport const probe = [updateReturning, Conflict];\n",
  'src/docs/probe.ts':
    "import { ENTITIES } from '../database/schema';\nimport { foundationImports } from '../app.module';\nexport const probe = [ENTITIES, foundationImports];\n",
};

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

let results: LintResult[];
beforeAll(() => {
  const run = spawnSync(process.execPath, [join(ROOT, 'test', 'helpers', 'lint-text.mjs')], { cwd: ROOT, input: JSON.stringify(PROBES), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lint-text failed: ${run.stderr}`);
  results = JSON.parse(run.stdout) as LintResult[];
}, 120_000);

const reported = (path: string) => results.find((r) => r.filePath === join(ROOT, path))?.messages.map((m) => `${m.ruleId}: ${m.message}`) ?? ['(not linted)'];

describe('the layer rules (eslint.config.mjs)', () => {
  it.each([
    ['common/ importing a feature', 'src/common/probe.ts', 'common/ and config/ are the foundation'],
    ['config/ importing a feature', 'src/config/probe.ts', 'common/ and config/ are the foundation'],
    ['a database helper importing a feature', 'src/database/probe.ts', 'The database helpers'],
    ['a feature importing the entity registry', 'src/tickets/probe-registry.ts', 'The entity and migration registry is read only by the data-source set-up'],
    ['a feature importing the data-source set-up', 'src/tickets/probe-setup.ts', 'Feature folders do not reach for the data-source set-up'],
    ['a feature importing an entry point', 'src/tickets/probe-root.ts', 'a feature never imports one'],
    ['production code importing a test helper', 'src/tickets/probe-test.ts', 'Production code never imports test or bench helpers'],
  ])('refuses %s', (_, path, message) => {
    expect(reported(path)).toEqual(expect.arrayContaining([expect.stringContaining('import-x/no-restricted-paths: Unexpected path')]));
    expect(reported(path).join('\n')).toContain(message);
  });

  it('lets a feature use the foundation, and src/docs/ import anything', () => {
    expect(reported('src/tickets/probe-allowed.ts')).toEqual([]);
    expect(reported('src/docs/probe.ts')).toEqual([]);
  });
});

describe('scripts/import-cycles.js', () => {
  const project = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-cycles-'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext' }, include: ['*.ts'] }));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'import-cycles.js'), join(dir, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    return run;
  };

  it('fails on a cycle made of type imports only, which ESLint does not count', () => {
    const run = project({
      'page.ts': "import type { Form } from './form';\nexport interface Page { form: Form }\n",
      'form.ts': "import type { Page } from './page';\nexport interface Form { page: Page }\n",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/import cycle: .*form\.ts ↔ .*page\.ts/);
  });

  it('passes once the shared type has a module of its own', () => {
    const run = project({
      'types.ts': 'export interface Page { title: string }\nexport interface Form { page: Page }\n',
      'page.ts': "import type { Page } from './types';\nexport const page: Page = { title: 'x' };\n",
      'form.ts': "import type { Form } from './types';\nimport { page } from './page';\nexport const form: Form = { page };\n",
    });
    expect(run.stdout).toContain('no import cycle among 3 modules');
    expect(run.status).toBe(0);
  });
});
