import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { CODE_ARTEFACTS, CodeArtefact, PATH_TO_CODES_KEY, PathToCodesMeta } from '../common/auth/path-to-codes.decorator';
import { PUBLIC_KEY, ROLES_KEY } from '../common/auth/roles.decorator';
import { SCOPE_KEY } from '../staff/service-scope.guard';
import { Effect, TRANSITIONS } from '../tickets/ticket.machine';
import { buildCallGraph, CallGraph, reach } from './call-graph';
import { GeneratedBlock, REPO_ROOT } from './generated-block';

/** The methods that create each artefact: where the scan stops and says "this route can create …". */
export const CREATORS: Readonly<Record<string, readonly CodeArtefact[]>> = {
  'CodesService.enrol': ['code_set'],
  'CodesService.issueSet': ['code_set'],
  'DeliveryService.createEnvelope': ['delivery_envelope', 'link_token'],
  'TicketLinks.issueCancelLink': ['link_token'],
  'TicketLinks.issueAttestationLink': ['link_token'],
  'NotMeNotices.send': ['link_token'],
  'GrantSigner.sign': ['unlock_grant'],
  // The regeneration job issues the set, seals the envelope and sends its link.
  'RegenerationQueue.enqueue': ['code_set', 'delivery_envelope', 'link_token'],
};

/**
 * What each effect of the transition table creates. A Record over every effect, so a new effect does not compile
 * until someone says what it creates. The scan does not walk into TicketTransitions.fire (it would reach every
 * effect); it takes the events a route fires and looks their effects up here.
 */
export const EFFECT_CREATES: Readonly<Record<Effect, readonly CodeArtefact[]>> = {
  schedule_regeneration: ['code_set', 'delivery_envelope', 'link_token'],
  notify_subject_approved: ['link_token'], // the "this wasn't me" cancel link of the cooling-off notice
  notify_subject_outcome: [],
  alert_security: [],
  assign_actor: [],
  unassign: [],
  fix_approved_facts: [],
};

const OPAQUE = new Set(['TicketTransitions.fire', 'TicketTransitions.fireAlone']);

export interface RouteFacts {
  route: string; // "POST /v1/tickets/:id/approve"
  handler: string; // Class.method
  file: string;
  /** What the call graph says the route can create. */
  found: CodeArtefact[];
  /** What @PathToCodes on the handler declares, if it is marked. */
  declared?: PathToCodesMeta;
  /** The principals any one of which reaches the route alone. */
  reachedBy: string[];
}

function controllerFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return controllerFiles(path);
    return name.endsWith('.controller.ts') || name.endsWith('.controller.js') ? [path] : [];
  });
}

function eventArtefacts(events: Set<string>): Set<CodeArtefact> {
  const out = new Set<CodeArtefact>();
  for (const t of TRANSITIONS) {
    if (events.has('*') || events.has(t.event)) for (const e of t.effects ?? []) EFFECT_CREATES[e].forEach((a) => out.add(a));
  }
  return out;
}

function who(handler: object, controller: object): string[] {
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[]) ?? []),
    ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? []),
  ];
  if (guards.some((g) => (g as { name?: string }).name === 'ScimAuthGuard')) return ['directory (SCIM connection secret)'];
  if (Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller)) return ['public (the link’s token)'];
  const roles = (Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, controller) ?? []) as string[];
  const scope = Reflect.getMetadata(SCOPE_KEY, handler) as string | undefined;
  return roles.map((r) => (r === 'service' && scope ? `service (\`${scope}\`)` : r));
}

const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** Every HTTP route of src/, with what the call graph finds it can create and what its decorator declares. */
export function walkRoutes(srcRoot = join(__dirname, '..'), graph: CallGraph = buildCallGraph(join(REPO_ROOT, 'src'))): RouteFacts[] {
  const routes: RouteFacts[] = [];
  for (const info of graph.classes.values()) {
    if (!info.decorators.includes('Controller') || info.handlers.size === 0) continue;
    // The class itself, for its metadata: loaded from the folder being scanned (src/ under ts-jest, dist/src when built).
    const loaded = controllerFiles(srcRoot).find((f) => relative(srcRoot, f).replace(/\.js$/, '.ts') === relative('src', info.file));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the controller class is loaded from whichever folder is scanned (src or dist), known only at run time
    const controller = loaded ? ((require(loaded) as Record<string, unknown>)[info.name] as { prototype: Record<string, object> } | undefined) : undefined;
    if (!controller) throw new Error(`cannot load controller ${info.name} from ${info.file}`);
    for (const [method] of info.handlers) {
      const handler = controller.prototype[method];
      const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const path = joinPath(
        ...[Reflect.getMetadata(PATH_METADATA, controller), Reflect.getMetadata(PATH_METADATA, handler)].filter((p): p is string => typeof p === 'string'),
      );
      const id = `${info.name}.${method}`;
      const reached = reach(graph, id, OPAQUE);
      const found = new Set<CodeArtefact>(eventArtefacts(reached.events));
      for (const m of reached.methods) (CREATORS[m] ?? []).forEach((a) => found.add(a));
      routes.push({
        route: `${verb} ${path}`,
        handler: id,
        file: info.file,
        found: CODE_ARTEFACTS.filter((a) => found.has(a)),
        declared: Reflect.getMetadata(PATH_TO_CODES_KEY, handler) as PathToCodesMeta | undefined,
        reachedBy: who(handler, controller),
      });
    }
  }
  return routes.sort((a, b) => a.route.split(' ')[1].localeCompare(b.route.split(' ')[1]) || a.route.localeCompare(b.route));
}

/** The routes that can create something: found by the scan or declared by @PathToCodes. */
export function pathsToCodes(routes: RouteFacts[] = walkRoutes()): RouteFacts[] {
  return routes.filter((r) => r.found.length > 0 || r.declared);
}

export function renderPathsToCodes(): string {
  const rows = pathsToCodes().map((r) => {
    const creates = CODE_ARTEFACTS.filter((a) => r.found.includes(a) || r.declared?.creates.includes(a));
    return `| \`${r.route}\` | ${creates.map((a) => `\`${a}\``).join(', ')} | ${r.reachedBy.join(', ') || '(nobody: no role named)'} | ${r.declared?.how ?? '**not marked**'} |`;
  });
  return ['| route | can create | any one of these reaches it alone | how |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export const PATHS_TO_CODES: GeneratedBlock = { file: 'docs/security.md', name: 'paths-to-codes', render: renderPathsToCodes };
