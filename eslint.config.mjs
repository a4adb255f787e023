// ESLint: correctness (typescript-eslint, with the type-aware promise rules), no import cycles, and the layer rules
// written out in docs/layers.md. `npm run lint` runs it with --max-warnings 0; `npm test` runs that first.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const at = (path) => `${root}/${path}`;

// The layers (docs/layers.md). Foundation: common/, config/ and the database helpers. Features: every other folder of
// src/ (cli/ is a composition root like src/*.ts). src/docs/ (generators of the docs and their checks) may import
// anything, and is exempt from every zone below.
const FEATURES = at('src/!(common|config|database|docs)/**');
const ROOTS = at('src/*.ts');
const DATA_SOURCE_SETUP = at('src/database/@(schema|data-source-options|prepare).ts');
const DATABASE_HELPERS = at('src/database/!(schema|data-source-options|prepare).ts');

const layerZones = [
  {
    target: [at('src/common/**'), at('src/config/**')],
    from: [FEATURES, ROOTS, DATA_SOURCE_SETUP, at('migrations/**'), at('test/**'), at('bench/**')],
    message: 'common/ and config/ are the foundation: they import nothing from feature folders (move the shared piece down into common/).',
  },
  {
    target: DATABASE_HELPERS,
    from: [FEATURES, ROOTS, DATA_SOURCE_SETUP, at('migrations/**'), at('test/**'), at('bench/**')],
    message: 'The database helpers (sql.ts, after-commit.ts, …) import nothing from feature folders nor the entity registry.',
  },
  {
    target: [at('src/!(database|docs)/**'), at('src/*.ts'), at('src/database/!(data-source-options).ts'), at('test/**'), at('bench/**'), at('migrations/**')],
    from: at('src/database/schema.ts'),
    message: 'The entity and migration registry is read only by the data-source set-up (src/database/data-source-options.ts).',
  },
  {
    target: [at('src/!(database|docs|cli)/**')],
    from: DATA_SOURCE_SETUP,
    message: 'Feature folders do not reach for the data-source set-up (it gathers every entity); only the entry points (src/*.ts, cli/) do.',
  },
  {
    target: [at('src/!(docs|cli)/**')],
    from: ROOTS,
    message: 'The entry points (app.module, main, cli, …) compose the features; a feature never imports one.',
  },
  {
    target: [at('src/**'), at('migrations/**')],
    from: [at('test/**'), at('bench/**')],
    message: 'Production code never imports test or bench helpers.',
  },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'dist/**', 'web/dist/**', 'coverage/**', 'var/**', 'web/src/api/schema.d.ts'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      globals: { ...globals.node },
      parserOptions: {
        // The plain JavaScript files (no tsconfig holds them); the default cap of 8 such files is reached already.
        projectService: {
          allowDefaultProject: ['*.mjs', 'scripts/*.js', 'test/helpers/*.mjs'],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 32,
        },
        tsconfigRootDir: root,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: [at('tsconfig.json'), at('web/tsconfig.json')], noWarnOnMultipleProjects: true })],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.mts'],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-useless-path-segments': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
    },
  },
  {
    files: ['scripts/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // React ignores what an event handler returns; the console's async handlers run through useAction
      // (web/src/components/use-load.ts), which catches and shows every failure, so none can reject unseen.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Tests and benchmarks read HTTP answers as loosely as supertest's own `body: any`.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
