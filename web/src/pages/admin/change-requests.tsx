import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, ErrorNote, Field, formatDuration, formatTime, LoadState } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-load';
import { MoreButton, PageHead, RefreshButton, ResultNotice } from './admin-ui';
import { useKeysetList } from './use-keyset';

export type ChangeRequest = Schemas['ChangeRequestDto'];

/** A sensitive change answered 202: it became a change request instead of applying. */
export function isChangeRequest(value: object): value is ChangeRequest {
  return 'kind' in value && 'sensitive' in value && 'before' in value;
}

const PRIVILEGED = ['approver', 'admin', 'service'];
export const grantsPrivilege = (roles: readonly string[], before: readonly string[] = []) => roles.some((r) => PRIVILEGED.includes(r) && !before.includes(r));

/** Said before submitting a change that will need a second admin (when multi-party approval is on). */
export function SecondAdminNote({ show }: { show: boolean }) {
  const status = useLoad(() => unwrap(api.GET('/v1/change-requests', { params: { query: { limit: 1, state: 'pending' } } })), []);
  if (!show || !status.data) return null;
  const { on, message } = status.data.multiPartyApproval;
  return (
    <p className="notice adm-note" role="note">
      {on
        ? 'This will need a second admin: it becomes a change request that another admin approves before it applies.'
        : `This applies at once and security is alerted: ${message}.`}
    </p>
  );
}

/** Shown after a sensitive change became a pending request. */
export function PendingRequestNote({ request }: { request?: ChangeRequest }) {
  if (!request) return null;
  return (
    <p role="status" className="notice adm-result">
      Waiting for a second admin: change request <code>{request.id}</code> ({describeKind(request)}) until {formatTime(request.expiresAt)}. It applies when
      another admin approves it under Change requests.
    </p>
  );
}

const KIND_WORDS: Record<ChangeRequest['kind'], string> = {
  'account.update': 'account change',
  'staff.create': 'new staff member',
  'staff.update': 'staff change',
  'staff.token': 'token for a privileged member',
  'ticket.clear_hold': 'clear a hold',
  'account.clear_recovery_hold': 'clear an account’s recovery hold',
  'critical_system.update': 'critical system’s k or window',
  'critical_system.custodian_add': 'new custodian of a critical system',
  'critical_system.custodian_remove': 'custodian removed from a critical system',
  'scim_connection.create': 'new SCIM directory connection',
};
const describeKind = (request: ChangeRequest) => KIND_WORDS[request.kind];
const show = (value: unknown) => (value === null || value === undefined ? '—' : Array.isArray(value) ? value.join(', ') : String(value));

/** Admin: sensitive changes waiting for a second admin (pending first), and those decided. */
export function ChangeRequestsPage() {
  const [notice, setNotice] = useState<string>();
  const [status, setStatus] = useState<string>();
  const list = useKeysetList(async (cursor) => {
    const page = await unwrap(api.GET('/v1/change-requests', { params: { query: { cursor } } }));
    setStatus(page.multiPartyApproval.message);
    return page;
  }, []);
  const decided = (request: ChangeRequest) => {
    setNotice(`Change request ${request.id} is now ${request.state}.`);
    void list.reload();
  };
  return (
    <div className="adm-page">
      <PageHead
        title="Change requests"
        intro="Sensitive admin changes (an account's tier lowered, its channels or manager, deactivation; privileged staff and their tokens; cleared holds; a critical system's k, window and custodians; new SCIM connections) wait here for a second admin. Pending first."
        actions={<RefreshButton list={list} />}
      />
      {status && (
        <p className="muted adm-note" role="note" aria-label="Multi-party approval">
          {status[0].toUpperCase() + status.slice(1)}.
        </p>
      )}
      <ResultNotice text={notice} />
      <LoadState loaded={list.loaded} empty={(items) => items.length === 0 && 'No change requests yet.'}>
        {(items) => items.map((request) => <RequestCard key={request.id} request={request} onDecided={decided} />)}
      </LoadState>
      <MoreButton list={list} />
    </div>
  );
}

function RequestCard({ request, onDecided }: { request: ChangeRequest; onDecided(request: ChangeRequest): void }) {
  const keys = [...new Set([...Object.keys(request.before), ...Object.keys(request.after)])];
  const age = formatDuration(Date.now() - Date.parse(request.createdAt));
  return (
    <article className="panel" aria-label={`Change request ${request.id}`}>
      <header className="panel-head">
        <h2>
          {describeKind(request)}: {request.targetType} <code>{request.targetId}</code>
        </h2>
        <Badge tone={request.state === 'pending' ? 'warn' : request.state === 'applied' ? 'ok' : 'neutral'}>{request.state}</Badge>
      </header>
      <p>
        Requested by <code>{request.requestedBy}</code> {age} ago ({formatTime(request.createdAt)}); reason:{' '}
        {request.reason ?? <span className="muted">none given</span>}. Rules: {request.sensitive.join(', ')}.
      </p>
      <table className="adm-table" aria-label="Before and after">
        <thead>
          <tr>
            <th>Field</th>
            <th>Before</th>
            <th>After</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key}>
              <td>{key}</td>
              <td>{show(request.before[key])}</td>
              <td>{show(request.after[key])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {request.reviewedBy && (
        <p>
          Reviewed by <code>{request.reviewedBy}</code> at {formatTime(request.reviewedAt)}: {request.reviewReason}
        </p>
      )}
      {request.outcome && <p className="muted">{request.outcome}</p>}
      {request.state === 'pending' &&
        (request.reviewable ? (
          <ReviewForm request={request} onDecided={onDecided} />
        ) : (
          <p className="muted">You cannot review this: {request.notReviewableBecause}.</p>
        ))}
    </article>
  );
}

function ReviewForm({ request, onDecided }: { request: ChangeRequest; onDecided(request: ChangeRequest): void }) {
  const [reason, setReason] = useState('');
  const decide = useAction((verdict: 'approve' | 'reject') =>
    unwrap(api.POST(`/v1/change-requests/{id}/${verdict}`, { params: { path: { id: request.id } }, body: { reason: reason.trim() } })),
  );
  const submit = (verdict: 'approve' | 'reject') => async (event?: FormEvent) => {
    event?.preventDefault();
    const result = await decide.run(verdict);
    if (result) onDecided(result);
  };
  return (
    <form className="adm-inline-form" aria-label={`Review ${request.id}`} onSubmit={submit('approve')}>
      <Field
        label="Reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        minLength={3}
        maxLength={500}
        required
        error={decide.error?.fieldMessages.reason}
      />
      <div className="adm-actions">
        <button type="submit" disabled={decide.busy || reason.trim().length < 3}>
          Approve and apply
        </button>
        <button type="button" disabled={decide.busy || reason.trim().length < 3} onClick={() => void submit('reject')()}>
          Reject
        </button>
      </div>
      <ErrorNote error={decide.error} />
    </form>
  );
}
