import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { GeneratedBlock, REPO_ROOT } from './generated-block';

/**
 * What each folder of src/ is for, in a line. Everything else in the module map is read from the code; a folder
 * missing here (or named here and gone) fails the docs check, so a new capability gets its line.
 */
export const FOLDER_PURPOSE: Readonly<Record<string, string>> = {
  accounts: 'employees whose codes we keep: registered channels (masked for staff), directory facts, import',
  audit: 'the audit log: events, Merkle tree, sequencer, signed checkpoints, witness, verification',
  'change-requests': 'sensitive admin changes that wait for a second admin (the multi-party rule)',
  cli: 'the nest-commander command line, one file per command group',
  codes: 'backup codes: format, hashing, first enrolment, verification and lockout, exposure, hygiene report',
  common: 'domain errors and the one exception filter, @Roles/@Public/@PathToCodes, Clock, pagination, crypto',
  config: 'the validated environment, the policy file, development secrets',
  database: 'data source options, the entity/migration registry, create-if-missing and locked migrations',
  delivery: 'one-time envelopes that carry new codes to the subject, and their redemption',
  docs: 'generated documentation blocks (this map, paths to codes) and the docs check',
  drills: 'social-engineering drills: scenarios, runs, scoring, reports, debriefs',
  health: 'liveness and readiness (PostgreSQL, Redis)',
  logging: 'pino logging with redaction, start-up lines',
  metrics: 'Prometheus metrics',
  notifications: 'the outbox, its relay worker, templates, adapters (file, webhook, smtp), "this wasn\'t me" notices',
  queue: 'BullMQ queue names and connections',
  scim: 'SCIM 2.0 provisioning (/scim/v2) and its connections',
  staff: 'staff, roles, tokens, the one AuthGuard, service scopes, OIDC sign-in and sessions, step-up',
  sweep: 'the scheduled sweep: SLAs, the regeneration reconciler, envelopes, notifications, unlock sessions',
  tickets: 'recovery tickets: THE transition table, proofing, approvals, risk signals and holds, regeneration, intake',
  unlock: 'critical systems, k-of-n unlock sessions, Ed25519 grants',
  web: "serves the console's build (web/dist) at /",
};

const SRC = join(REPO_ROOT, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

export function sourceFolders(): string[] {
  return readdirSync(SRC)
    .filter((name) => statSync(join(SRC, name)).isDirectory())
    .sort();
}

/** Class names listed in one property of a @Module({...}) (imports, controllers, providers). */
function listed(moduleSource: string, property: string): string[] {
  const match = new RegExp(`${property}:\\s*\\[([^\\]]*)\\]`).exec(moduleSource);
  if (!match) return [];
  return [...match[1].matchAll(/(?:^|[\s,[])([A-Z]\w*)(?=\s*(?:,|$|\]))/g)].map((m) => m[1]);
}

export interface FolderFacts {
  folder: string;
  modules: string[];
  controllers: string[];
  processors: string[];
  importsFrom: string[];
}

export function folderFacts(folder: string): FolderFacts {
  const files = filesUnder(join(SRC, folder));
  const modules: string[] = [];
  const controllers: string[] = [];
  const importsFrom = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/@Module\(\{([\s\S]*?)\}\)\s*export class (\w+)/g)) {
      modules.push(m[2]);
      controllers.push(...listed(m[1], 'controllers'));
    }
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = relative(SRC, join(dirname(file), m[1])).split(sep);
      if (target.length > 1 && target[0] !== folder && !target[0].startsWith('..')) importsFrom.add(target[0]);
    }
  }
  const processors = files.filter((f) => /\.(processor|loop)\.ts$/.test(f)).map((f) => relative(join(SRC, folder), f));
  return { folder, modules: modules.sort(), controllers: controllers.sort(), processors: processors.sort(), importsFrom: [...importsFrom].sort() };
}

const codeList = (names: string[]) => (names.length ? names.map((n) => `\`${n}\``).join(', ') : '—');

/** The README's module map: one row per folder of src/. */
export function renderModuleMap(): string {
  const rows = sourceFolders().map((folder) => {
    const f = folderFacts(folder);
    const purpose = FOLDER_PURPOSE[folder] ?? '(not described: add it to FOLDER_PURPOSE in src/docs/module-map.ts)';
    return `| [\`${folder}/\`](src/${folder}) | ${purpose} | ${codeList(f.modules)} | ${codeList(f.controllers)} | ${codeList(f.processors)} | ${f.importsFrom.join(', ') || '—'} |`;
  });
  return ['| folder | what it holds | modules | controllers | workers | imports from |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export const MODULE_MAP: GeneratedBlock = { file: 'README.md', name: 'module-map', render: renderModuleMap };
