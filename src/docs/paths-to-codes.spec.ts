import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, withBlock, writeBlocks } from './generated-block';
import { PATHS_TO_CODES, pathsToCodes, RouteFacts, walkRoutes } from './paths-to-codes';

let routes: RouteFacts[];
beforeAll(() => {
  routes = walkRoutes();
});

describe('paths to codes, found from the controllers', () => {
  it('walks every controller route', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.map((r) => r.route)).toEqual(expect.arrayContaining(['POST /v1/accounts/:id/code-sets', 'POST /v1/tickets/:id/approve']));
  });

  it('finds a route for every kind of thing that puts codes or access in someone’s hands', () => {
    const found = new Set(routes.flatMap((r) => r.found));
    expect([...found].sort()).toEqual(['code_set', 'delivery_envelope', 'link_token', 'unlock_grant']);
  });

  it('has every route that can create something marked with @PathToCodes, listing at least what the scan finds', () => {
    const unmarked = routes
      .filter((r) => r.found.some((a) => !r.declared?.creates.includes(a)))
      .map((r) => `${r.route} (${r.handler}, ${r.file}) can create ${r.found.join(', ')}; marked: ${r.declared?.creates.join(', ') ?? 'no'}`);
    expect(unmarked).toEqual([]);
  });

  it('has no route that names neither roles nor a credential of its own', () => {
    expect(
      pathsToCodes(routes)
        .filter((r) => r.reachedBy.length === 0)
        .map((r) => r.route),
    ).toEqual([]);
  });

  it('lets only the login application or a critical system’s gate (service, unlock scope) reach an unlock grant', () => {
    const grantRoutes = routes.filter((r) => r.found.includes('unlock_grant'));
    expect(grantRoutes.map((r) => [r.route, r.reachedBy])).toEqual([['POST /v1/unlock-sessions/:id/presentations', ['service (`unlock`)']]]);
  });

  it('lets only a service token with the enrol scope create a code set that is handed back in the response', () => {
    expect(routes.find((r) => r.route === 'POST /v1/accounts/:id/code-sets')?.reachedBy).toEqual(['service (`enrol`)']);
  });

  it('gives auditors and drill runners alone no route to a real code set or grant', () => {
    const reachable = routes.filter((r) => r.found.some((a) => a === 'code_set' || a === 'unlock_grant'));
    expect(reachable.filter((r) => r.reachedBy.some((p) => p === 'auditor' || p === 'drill_runner')).map((r) => r.route)).toEqual([]);
  });

  it('is listed in docs/security.md as generated now (UPDATE_DOCS=1 or `npm run diagram` rewrites it)', () => {
    if (process.env.UPDATE_DOCS) writeBlocks([PATHS_TO_CODES]);
    const page = readFileSync(join(REPO_ROOT, PATHS_TO_CODES.file), 'utf8');
    expect(page).toBe(withBlock(page, PATHS_TO_CODES));
  });
});
