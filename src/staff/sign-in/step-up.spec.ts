import { generateSignerKey } from '../../audit/checkpoint-note';
import { parseRoleMap, validateEnv } from '../../config/env.validation';
import { rolesOfGroups } from './sign-in.service';
import { Authentication, StepUpPolicy, stepUpRefusal } from './step-up';

const now = new Date('2026-12-02T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const session = (over: Partial<Authentication> = {}): Authentication => ({ method: 'oidc', authenticatedAt: minutesAgo(1), amr: ['pwd'], acr: null, ...over });
const policy = (over: Partial<StepUpPolicy> = {}): StepUpPolicy => ({ oidcEnabled: true, maxAgeSeconds: 600, amr: [], acr: [], ...over });
const token: Authentication = { method: 'staff_token', authenticatedAt: null, amr: [], acr: null };

describe('stepUpRefusal', () => {
  it('lets a fresh session through when only freshness is required', () => {
    expect(stepUpRefusal(session(), policy(), now)).toBeUndefined();
    expect(stepUpRefusal(session({ authenticatedAt: minutesAgo(10) }), policy(), now)).toBeUndefined();
  });

  it('refuses a sign-in older than the window, saying how old', () => {
    expect(stepUpRefusal(session({ authenticatedAt: minutesAgo(10.1) }), policy(), now)).toBe(
      'your sign-in is 10 min old; this act needs one within the last 10 min',
    );
  });

  it('needs one of the configured amr values, or one of the configured acr values', () => {
    const strong = policy({ amr: ['hwk', 'phr'], acr: ['gold'] });
    expect(stepUpRefusal(session({ amr: ['pwd', 'otp'] }), strong, now)).toBe(
      'this act needs a sign-in with a method among hwk, phr or acr gold; yours used pwd, otp',
    );
    expect(stepUpRefusal(session({ amr: ['hwk'] }), strong, now)).toBeUndefined();
    expect(stepUpRefusal(session({ amr: [], acr: 'gold' }), strong, now)).toBeUndefined();
    expect(stepUpRefusal(session({ amr: [], acr: 'silver' }), strong, now)).toMatch(/yours used no stated method \(acr silver\)/);
  });

  it('a strong but stale sign-in is still refused', () => {
    expect(stepUpRefusal(session({ amr: ['hwk'], authenticatedAt: minutesAgo(30) }), policy({ amr: ['hwk'] }), now)).toMatch(/30 min old/);
  });

  it('staff tokens keep their rights without a provider and lose step-up acts with one', () => {
    expect(stepUpRefusal(token, policy({ oidcEnabled: false }), now)).toBeUndefined();
    expect(stepUpRefusal(token, policy(), now)).toMatch(/staff tokens cannot do this/);
  });
});

describe('groups → roles', () => {
  const map = parseRoleMap('helpdesk-agents=agent, helpdesk-approvers=approver,leads=agent,leads=approver');

  it('maps each group it knows, ignores the rest, and orders roles as STAFF_ROLES does', () => {
    expect(rolesOfGroups(['leads', 'finance'], map)).toEqual(['agent', 'approver']);
    expect(rolesOfGroups(['helpdesk-approvers'], map)).toEqual(['approver']);
    expect(rolesOfGroups('helpdesk-agents', map)).toEqual(['agent']);
    expect(rolesOfGroups(['finance'], map)).toEqual([]);
    expect(rolesOfGroups(undefined, map)).toEqual([]);
    expect(rolesOfGroups([{ name: 'helpdesk-agents' }], map)).toEqual([]);
  });
});

describe('OIDC settings', () => {
  const base = {
    CODE_PEPPER: 'p'.repeat(32),
    DELIVERY_KEY: 'ab'.repeat(32),
    GRANT_SIGNING_KEY: 'cd'.repeat(32),
    AUDIT_CHECKPOINT_KEY: generateSignerKey('desk.test/audit'),
  };
  const oidc = { OIDC_ISSUER: 'https://login.example.com/realms/staff', OIDC_CLIENT_ID: 'desk', OIDC_CLIENT_SECRET: 'a-secret', OIDC_ROLE_MAP: 'agents=agent' };

  it('derives the redirect URL from PUBLIC_URL', () => {
    expect(validateEnv({ ...base, ...oidc, PUBLIC_URL: 'https://desk.example.com' }).OIDC_REDIRECT_URL).toBe('https://desk.example.com/v1/auth/oidc/callback');
  });

  it.each([
    [{ OIDC_CLIENT_SECRET: undefined }, 'OIDC_ISSUER needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_ROLE_MAP'],
    [{ OIDC_ROLE_MAP: 'agents=superuser' }, 'OIDC_ROLE_MAP maps "agents" to "superuser"'],
    [{ OIDC_ROLE_MAP: 'robots=service' }, 'service is for tokens only'],
    [{ OIDC_ROLE_MAP: '=agent' }, 'without a group name'],
    [{ OIDC_SCOPES: 'email profile' }, 'OIDC_SCOPES must be space-separated scopes starting with openid'],
  ])('refuses %j', (override, message) => {
    expect(() => validateEnv({ ...base, ...oidc, ...override })).toThrow(message);
  });

  it('never echoes the client secret', () => {
    expect(() => validateEnv({ ...base, ...oidc, OIDC_CLIENT_SECRET: 123 as unknown as string })).toThrow(/value hidden/);
  });
});
