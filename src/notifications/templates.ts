import { htmlDocument, LinkSpec, say, Value, Wording } from './rendering';

/**
 * What people are told, and when. Bodies never contain a backup code; links carry one-time tokens. Subjects never
 * carry a secret (an OTP, a link): they show in notification previews, lock screens and mail-server logs.
 */
export interface Rendered {
  subject: string;
  /** Plain text without the links: the SMS, and the e-mail's text part before its links. */
  body: string;
  /** The e-mail's HTML part: the same wording with every variable escaped, and the links as buttons. */
  html?: string;
  links: string[];
}

type Vars = Record<string, Value>;

function message(subject: string, body: Wording, links: LinkSpec[] = []): Rendered {
  return { subject, body: body.text(), html: htmlDocument(subject, body, links), links: links.map((l) => String(l.href)) };
}

const TEMPLATES = {
  // With `notMeLink`: a first enrolment (NotMeNotices), whose "this wasn't me" holds the account.
  'codes.issued': (v: Vars) =>
    v.notMeLink === undefined
      ? message(
          'New backup codes were issued for your account',
          say`Hello ${v.name}, a new set of ${v.count} backup codes was issued for your account; any earlier codes no longer work. If you did not ask for this, contact the help desk or security now.`,
        )
      : message(
          'Backup codes were set up for your account',
          say`Hello ${v.name}, a first set of ${v.count} backup codes was set up for your account, normally at your first sign-in. If this was you, nothing to do. If it was NOT you, open this link: it holds every recovery of your account and alerts security.`,
          [{ href: v.notMeLink, label: 'This wasn’t me: hold my account' }],
        ),
  'codes.used': (v: Vars) =>
    message(
      'A backup code was used to sign in',
      say`Hello ${v.name}, one of your backup codes was just used to sign in. ${v.remaining} unused codes remain. If this was not you, report it to security now.`,
    ),
  'codes.low': (v: Vars) =>
    message(
      'You are running out of backup codes',
      say`Hello ${v.name}, one of your backup codes was just used to sign in. Only ${v.remaining} unused codes remain: ask for a new set before you run out. If this was not you, report it to security now.`,
    ),
  'codes.locked': (v: Vars) =>
    message(
      'Backup-code sign-in locked after failed attempts',
      say`Hello ${v.name}, too many wrong backup codes were tried for your account, so backup-code sign-in is locked until ${v.until}. If this was not you, someone may be trying to get into your account: tell security.`,
    ),
  'codes.revoked': (v: Vars) =>
    message('Your backup codes were revoked', say`Hello ${v.name}, your backup codes were revoked (${v.reason}) and no longer work.`),
  'codes.exposed': (v: Vars) =>
    message(
      'Your backup codes were reported exposed and revoked',
      say`Hello ${v.name}, your backup codes were reported as exposed and have been revoked at once. The help desk will reissue them after checking it is you; you will get new codes only through a one-time link sent to you.`,
    ),
  'delivery.link': (v: Vars) =>
    message(
      'Your new backup codes are ready',
      say`Hello ${v.name}, your new backup codes are ready. Open this one-time link to see them; it works once and expires at ${v.expiresAt}. Nobody from the help desk will ever ask you for these codes.`,
      [{ href: v.link, label: 'Show my new backup codes' }],
    ),
  'ticket.opened': (v: Vars) =>
    message(
      'Someone asked the help desk to reset your sign-in codes',
      say`Hello ${v.name}, a request to reissue your backup codes was made to the help desk (${v.channel}) at ${v.at}. If this was you, nothing to do: we will check it is you. If this was NOT you, open this link to stop it at once and alert security.`,
      [{ href: v.cancelLink, label: 'This was not me: stop it' }],
    ),
  'ticket.approved': (v: Vars) =>
    message(
      'Your backup-code reissue was approved',
      say`Hello ${v.name}, the reissue of your backup codes was approved; new codes will be sent to you after ${v.after}. If you did not ask for this, open this link before then to stop it and alert security.`,
      [{ href: v.cancelLink, label: 'This was not me: stop it' }],
    ),
  'ticket.closed': (v: Vars) =>
    message(
      'Your backup-code request was closed',
      say`Hello ${v.name}, the request to reissue your backup codes was closed (${v.outcome}). Your current codes are unchanged. If you still need help, contact the help desk.`,
    ),
  'proofing.otp': (v: Vars) =>
    message(
      'Your help-desk verification code',
      say`Your help-desk verification code is ${v.otp}. Read it to the agent only if YOU called the help desk. It expires in ${v.minutes} minutes.`,
    ),
  'proofing.attestation': (v: Vars) =>
    message(
      `Please confirm: is ${v.subjectName} asking to reset their sign-in?`,
      say`Hello ${v.name}, the help desk received a request (${v.channel}, ${v.at}) to reissue sign-in codes for ${v.subjectName}, who reports to you. Please confirm or reject it, from what you know first-hand, through this link.`,
      [{ href: v.link, label: 'Confirm or reject the request' }],
    ),
  'security.possible_social_engineering': (v: Vars) =>
    message(
      'Alert: possible social-engineering attempt at the help desk',
      say`Recovery ticket ${v.ticketId} for account ${v.accountId} was stopped: ${v.why}.`,
    ),
  'security.account_reported_not_me': (v: Vars) =>
    message(
      'Alert: an employee reported a change to their account was not them',
      say`The subject of account ${v.accountId} followed a "this wasn't me" link (${v.template}). Every recovery of the account is held until an admin clears the hold; ${v.heldTickets} live ticket(s) held, ${v.cancelledTickets} approved ticket(s) stopped.`,
    ),
  'security.service_token_unusual': (v: Vars) =>
    message(
      'Alert: unusual use of a service token',
      say`Service token ${v.tokenId} (${v.label}) of ${v.staffName}: ${v.why}. If this is not expected, revoke the token.`,
    ),
  'security.service_token_issued': (v: Vars) =>
    message(
      'A service token was issued',
      say`Service token ${v.tokenId} (${v.label}) was issued to ${v.staffName} by ${v.issuedBy}, with scopes ${v.scopes} and client networks ${v.networks}. Whoever holds it can call those operations for every account.`,
    ),
  'security.privilege_granted': (v: Vars) =>
    message(
      'A staff member was granted the approver or admin role',
      say`Staff member ${v.staffName} (${v.staffId}) was granted ${v.roles} by ${v.grantedBy} at ${v.at}. For ${v.freshDays} days their approvals do not count on privileged and critical tickets. If this was not expected, take the role away and revoke their tokens.`,
    ),
  'security.privileged_token_issued': (v: Vars) =>
    message(
      'A token was issued to an approver or admin',
      say`Token ${v.tokenId} (${v.label}) was issued to ${v.staffName} (${v.staffId}), who holds ${v.roles}, by ${v.issuedBy}. If this was not expected, revoke the token.`,
    ),
  'security.exposure_unusual': (v: Vars) =>
    message(
      'Alert: backup codes revoked as exposed',
      say`${v.why}. Exposure revokes codes at once: check the reports are genuine, not an attempt to lock people out.`,
    ),
  'security.reset_velocity': (v: Vars) =>
    message(
      'Alert: unusually many help-desk recovery requests',
      say`Recovery ticket ${v.ticketId} for account ${v.accountId} is part of a burst: ${v.why}. Tickets still need their usual proofing and approval; a burst like this is how help-desk social-engineering campaigns look.`,
    ),
  'security.ticket_concern': (v: Vars) =>
    message(
      'A help-desk agent raised a concern about a recovery ticket',
      say`Staff member ${v.raisedBy} raised a concern about recovery ticket ${v.ticketId} for account ${v.accountId} (${v.state}, owned by ${v.owner}): ${v.reason}. Only the ticket's owner, an admin or the subject can cancel it; look at it before its codes are reissued.`,
    ),
  'security.regeneration_failed': (v: Vars) =>
    message('Alert: backup-code regeneration failed', say`Regeneration for recovery ticket ${v.ticketId} failed after its retries; an admin can retry it.`),
  'unlock.opened': (v: Vars) =>
    message(
      `Unlock of ${v.system} started`,
      say`Hello ${v.name}, an unlock of ${v.system} was started at ${v.at} and needs ${v.k} custodians within ${v.windowSeconds} seconds. If you are not expecting this, tell security.`,
    ),
  'unlock.unlocked': (v: Vars) =>
    message(`${v.system} was unlocked`, say`Hello ${v.name}, ${v.system} was unlocked at ${v.at} by ${v.custodians}. The grant expires at ${v.expiresAt}.`),
  'security.unlock_granted': (v: Vars) =>
    message(
      `${v.system} was unlocked: a grant was issued`,
      say`Critical system ${v.system} was unlocked by ${v.custodians} (session opened by ${v.openedBy}); grant ${v.grantId} is valid until ${v.expiresAt}. If this was not expected, revoke the grant at once.`,
    ),
  'security.custodian_codes_refused': (v: Vars) =>
    message(
      'Alert: a custodian presented codes that do not count',
      say`In unlock session ${v.sessionId} of ${v.system}, custodian account ${v.accountId} presented a code that was refused: ${v.why}. Fresh codes presented for a custodian are how one person would sign for several.`,
    ),
  // To the OLD address or number, never the new one, and never naming the new value (NotMeNotices: `notMeLink`).
  'account.channel_changed': (v: Vars) =>
    message(
      `The ${v.what} registered for your account was changed`,
      say`Hello ${v.name}, the ${v.what} registered for your sign-in recovery was changed at ${v.at}; this ${v.what} no longer receives recovery codes or links. If this was you, nothing to do. If it was NOT you, open this link: it holds every recovery of your account and alerts security.`,
      [{ href: v.notMeLink, label: 'This wasn’t me: hold my account' }],
    ),
  'security.change_without_second_admin': (v: Vars) =>
    message(
      'Alert: a sensitive admin change applied without a second admin',
      say`Admin ${v.staffId} made a sensitive change (${v.kind} on ${v.target}: ${v.rules}) that applied at once, because fewer than two active admins exist: multi-party approval is off until a second admin exists.`,
    ),
  'security.policy_changed': (v: Vars) =>
    message(
      'Alert: the recovery desk started with a changed policy',
      say`The recovery desk started with a policy file that differs from the one it last ran with: ${v.changes}. The change is in the audit log (policy.applied). If nobody meant to make it, the server's files were changed by someone who should not have.`,
    ),
  'security.self_change_refused': (v: Vars) =>
    message(
      'Alert: a staff member tried to change their own staff record',
      say`Staff member ${v.staffName} (${v.staffId}) tried to change their own ${v.changed} at ${v.at}; it was refused (staff rule ${v.rule}). Nobody changes their own roles, account or active flag: if this was not an honest mistake, review this member.`,
    ),
  'security.change_requested': (v: Vars) =>
    message(
      'A sensitive admin change awaits a second admin',
      say`Admin ${v.staffId} asked for a sensitive change (${v.kind} on ${v.target}: ${v.rules}); change request ${v.requestId} waits for another admin's review until ${v.expiresAt}.`,
    ),
  'security.account_deactivated': (v: Vars) =>
    message(
      'Account deactivated: backup codes revoked',
      say`Account ${v.accountId} (${v.externalId}) was deactivated by ${v.by}. Revoked code sets: ${v.codesRevoked}; recovery tickets cancelled: ${v.ticketsCancelled}; undelivered code envelopes voided: ${v.deliveriesVoided}.`,
    ),
  'security.account_locked': (v: Vars) =>
    message(
      'Alert: backup-code lockout',
      say`Backup-code verification for account ${v.accountId} (${v.externalId}) locked until ${v.until} after ${v.failures} failed attempts.`,
    ),
} satisfies Record<string, (v: Vars) => Rendered>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export function render(template: TemplateName, vars: Vars): Rendered {
  return TEMPLATES[template](vars);
}
