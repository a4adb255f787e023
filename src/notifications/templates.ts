/** What people are told, and when. Bodies never contain a backup code; links carry one-time tokens. */
export interface Rendered {
  subject: string;
  body: string;
  links: string[];
}

type Vars = Record<string, string | number>;

const TEMPLATES = {
  'codes.issued': (v: Vars): Rendered => ({
    subject: 'New backup codes were issued for your account',
    body: `Hello ${v.name}, a new set of ${v.count} backup codes was issued for your account; any earlier codes no longer work. If you did not ask for this, contact the help desk or security now.`,
    links: [],
  }),
  'codes.used': (v: Vars): Rendered => ({
    subject: 'A backup code was used to sign in',
    body: `Hello ${v.name}, one of your backup codes was just used to sign in. ${v.remaining} unused codes remain. If this was not you, report it to security now.`,
    links: [],
  }),
  'codes.low': (v: Vars): Rendered => ({
    subject: 'You are running out of backup codes',
    body: `Hello ${v.name}, one of your backup codes was just used to sign in. Only ${v.remaining} unused codes remain: ask for a new set before you run out. If this was not you, report it to security now.`,
    links: [],
  }),
  'codes.locked': (v: Vars): Rendered => ({
    subject: 'Backup-code sign-in locked after failed attempts',
    body: `Hello ${v.name}, too many wrong backup codes were tried for your account, so backup-code sign-in is locked until ${v.until}. If this was not you, someone may be trying to get into your account: tell security.`,
    links: [],
  }),
  'codes.revoked': (v: Vars): Rendered => ({
    subject: 'Your backup codes were revoked',
    body: `Hello ${v.name}, your backup codes were revoked (${v.reason}) and no longer work.`,
    links: [],
  }),
  'codes.exposed': (v: Vars): Rendered => ({
    subject: 'Your backup codes were reported exposed and revoked',
    body: `Hello ${v.name}, your backup codes were reported as exposed and have been revoked at once. The help desk will reissue them after checking it is you; you will get new codes only through a one-time link sent to you.`,
    links: [],
  }),
  'delivery.link': (v: Vars): Rendered => ({
    subject: 'Your new backup codes are ready',
    body: `Hello ${v.name}, your new backup codes are ready. Open this one-time link to see them; it works once and expires at ${v.expiresAt}. Nobody from the help desk will ever ask you for these codes.`,
    links: [String(v.link)],
  }),
  'ticket.opened': (v: Vars): Rendered => ({
    subject: 'Someone asked the help desk to reset your sign-in codes',
    body: `Hello ${v.name}, a request to reissue your backup codes was made to the help desk (${v.channel}) at ${v.at}. If this was you, nothing to do: we will check it is you. If this was NOT you, open this link to stop it at once and alert security.`,
    links: [String(v.cancelLink)],
  }),
  'ticket.approved': (v: Vars): Rendered => ({
    subject: 'Your backup-code reissue was approved',
    body: `Hello ${v.name}, the reissue of your backup codes was approved; new codes will be sent to you after ${v.after}. If you did not ask for this, open this link before then to stop it and alert security.`,
    links: [String(v.cancelLink)],
  }),
  'ticket.closed': (v: Vars): Rendered => ({
    subject: 'Your backup-code request was closed',
    body: `Hello ${v.name}, the request to reissue your backup codes was closed (${v.outcome}). Your current codes are unchanged. If you still need help, contact the help desk.`,
    links: [],
  }),
  'proofing.otp': (v: Vars): Rendered => ({
    subject: 'Your help-desk verification code',
    body: `Your help-desk verification code is ${v.otp}. Read it to the agent only if YOU called the help desk. It expires in ${v.minutes} minutes.`,
    links: [],
  }),
  'proofing.attestation': (v: Vars): Rendered => ({
    subject: `Please confirm: is ${v.subjectName} asking to reset their sign-in?`,
    body: `Hello ${v.name}, the help desk received a request (${v.channel}, ${v.at}) to reissue sign-in codes for ${v.subjectName}, who reports to you. Please confirm or reject it, from what you know first-hand, through this link.`,
    links: [String(v.link)],
  }),
  'security.possible_social_engineering': (v: Vars): Rendered => ({
    subject: 'Alert: possible social-engineering attempt at the help desk',
    body: `Recovery ticket ${v.ticketId} for account ${v.accountId} was stopped: ${v.why}.`,
    links: [],
  }),
  'security.regeneration_failed': (v: Vars): Rendered => ({
    subject: 'Alert: backup-code regeneration failed',
    body: `Regeneration for recovery ticket ${v.ticketId} failed after its retries; an admin can retry it.`,
    links: [],
  }),
  'unlock.opened': (v: Vars): Rendered => ({
    subject: `Unlock of ${v.system} started`,
    body: `Hello ${v.name}, an unlock of ${v.system} was started at ${v.at} and needs ${v.k} custodians within ${v.windowSeconds} seconds. If you are not expecting this, tell security.`,
    links: [],
  }),
  'unlock.unlocked': (v: Vars): Rendered => ({
    subject: `${v.system} was unlocked`,
    body: `Hello ${v.name}, ${v.system} was unlocked at ${v.at} by ${v.custodians}. The grant expires at ${v.expiresAt}.`,
    links: [],
  }),
  'security.account_locked': (v: Vars): Rendered => ({
    subject: 'Alert: backup-code lockout',
    body: `Backup-code verification for account ${v.accountId} (${v.externalId}) locked until ${v.until} after ${v.failures} failed attempts.`,
    links: [],
  }),
} satisfies Record<string, (v: Vars) => Rendered>;

export type TemplateName = keyof typeof TEMPLATES;

export function render(template: TemplateName, vars: Vars): Rendered {
  return TEMPLATES[template](vars);
}
