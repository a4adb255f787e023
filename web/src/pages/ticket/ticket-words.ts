import type { Schemas } from '../../api/client';

export type Ticket = Schemas['TicketDto'];
export type TicketState = Ticket['state'];
export type TicketEvent = Ticket['allowedEvents'][number];
export type Step = Schemas['StepViewDto'];
export type StepName = Step['step'];
export type TimelineEvent = Schemas['TimelineEventDto'];

/** Every state, in the order the queue's tabs show them: the live ones first, then the finished. */
export const QUEUE_STATES: readonly TicketState[] = [
  'open',
  'proofing',
  'awaiting_approval',
  'approved',
  'regenerating',
  'failed',
  'completed',
  'denied',
  'cancelled',
  'expired',
  'superseded',
];

/** States nothing happens in any more (src/tickets/ticket.machine.ts TERMINAL_STATES). */
export const FINISHED_STATES: readonly TicketState[] = ['completed', 'denied', 'cancelled', 'expired', 'superseded'];

/** States someone is waiting on, whose `dueAt` is a live SLA. */
export const WAITING_STATES: readonly TicketState[] = ['open', 'proofing', 'awaiting_approval'];

export const STATE_LABEL: Record<TicketState, string> = {
  open: 'Open',
  proofing: 'Proofing',
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  regenerating: 'Regenerating',
  completed: 'Completed',
  denied: 'Denied',
  cancelled: 'Cancelled',
  expired: 'Expired',
  failed: 'Failed',
  superseded: 'Superseded',
};

export function stateTone(state: TicketState): 'neutral' | 'info' | 'warn' | 'danger' | 'ok' {
  if (state === 'completed' || state === 'approved') return 'ok';
  if (state === 'denied' || state === 'failed') return 'danger';
  if (state === 'awaiting_approval' || state === 'regenerating') return 'warn';
  return state === 'proofing' ? 'info' : 'neutral';
}

export const STEP_LABEL: Record<StepName, string> = {
  registered_channel_otp: 'Code to a registered channel',
  manager_attestation: 'Manager attestation',
  directory_facts: 'Directory facts',
  government_id: 'Government ID check',
  video_call: 'Video call',
};

export type DocumentType = NonNullable<Schemas['GovernmentIdEvidenceDto']['documentType']>;

export const DOCUMENT_TYPES: [DocumentType, string][] = [
  ['passport', 'Passport'],
  ['driving_licence', 'Driving licence'],
  ['national_id', 'National ID card'],
  ['residence_permit', 'Residence permit'],
];

/** `lost_device` → "Lost device": channels, reasons and document types read as words. */
export function words(value: string): string {
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where a code or link went, with the registered address as the API gives it: masked. */
export function sentToText(sentTo: string | null, account: Ticket['account']): string {
  if (sentTo === 'sms') return `SMS to ${account.phone}`;
  if (sentTo === 'email') return `E-mail to ${account.email}`;
  if (sentTo === 'manager') return 'The manager on file';
  return '—';
}

/** A staff member as the API names them (by id): "you", or a short id. */
export function staffText(staffId: string | null, myId: string): string {
  if (!staffId) return 'Unassigned';
  return staffId === myId ? 'You' : `Staff ${staffId.slice(0, 8)}`;
}
