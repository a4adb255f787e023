import { api, unwrap, type Schemas } from '../../api/client';
import type { StepName, Ticket, TimelineEvent } from './ticket-words';

const byId = (id: string) => ({ params: { path: { id } } });

export function loadTicket(id: string): Promise<Ticket> {
  return unwrap(api.GET('/v1/tickets/{id}', byId(id)));
}

export function loadTimeline(id: string): Promise<TimelineEvent[]> {
  return unwrap(api.GET('/v1/tickets/{id}/events', byId(id)));
}

export function loadTickets(state: Ticket['state']): Promise<Schemas['TicketPageDto']> {
  return unwrap(api.GET('/v1/tickets', { params: { query: { state } } }));
}

export function loadCounts(): Promise<Schemas['TicketCountsDto']> {
  return unwrap(api.GET('/v1/tickets/counts'));
}

/** Claims the next ticket; undefined when the queue is empty (204). */
export async function claimNext(): Promise<Ticket | undefined> {
  return (await unwrap(api.POST('/v1/tickets/next'))) as Ticket | undefined;
}

export function releaseTicket(id: string): Promise<Ticket> {
  return unwrap(api.POST('/v1/tickets/{id}/release', byId(id)));
}

/** The events a person signs with a reason, and a concern (recorded on the ticket, no state change). */
export type ReasonEvent = 'flag' | 'deny' | 'cancel' | 'approve' | 'concern';

export function fireWithReason(id: string, event: ReasonEvent, reason: string): Promise<Ticket> {
  const request = { ...byId(id), body: { reason } };
  switch (event) {
    case 'flag':
      return unwrap(api.POST('/v1/tickets/{id}/flag', request));
    case 'deny':
      return unwrap(api.POST('/v1/tickets/{id}/deny', request));
    case 'cancel':
      return unwrap(api.POST('/v1/tickets/{id}/cancel', request));
    case 'approve':
      return unwrap(api.POST('/v1/tickets/{id}/approve', request));
    case 'concern':
      return unwrap(api.POST('/v1/tickets/{id}/concerns', request));
  }
}

/** Sends the OTP (to a REGISTERED channel) or the manager's link. */
export function startStep(id: string, step: StepName, channel?: Schemas['StartStepDto']['channel']): Promise<Ticket> {
  // `channel` is the OTP's only: the manager's link always goes to the manager on file's e-mail.
  const body = (channel ? { channel } : {}) as Schemas['StartStepDto'];
  return unwrap(api.POST('/v1/tickets/{id}/steps/{step}/start', { params: { path: { id, step } }, body }));
}

export type StepEvidence =
  Schemas['OtpEvidenceDto'] | Schemas['DirectoryFactsEvidenceDto'] | Schemas['GovernmentIdEvidenceDto'] | Schemas['VideoCallEvidenceDto'];

export function submitStep(id: string, step: StepName, evidence: StepEvidence): Promise<Ticket> {
  return unwrap(api.POST('/v1/tickets/{id}/steps/{step}', { params: { path: { id, step } }, body: evidence }));
}
