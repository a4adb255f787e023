import type { Role } from '../../session/session';

/** Every staff role once, in the order forms offer them: a Record so the compiler notices a role added to the API. */
const ROLE_ORDER: Record<Role, number> = { agent: 1, approver: 2, admin: 3, auditor: 4, drill_runner: 5, service: 6, intake: 7 };
export const STAFF_ROLES = (Object.keys(ROLE_ORDER) as Role[]).sort((a, b) => ROLE_ORDER[a] - ROLE_ORDER[b]);
