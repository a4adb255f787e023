import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useAction, useLoad } from '../../components/use-load';
import { ErrorNote, formatTime, Loading } from '../../components/ui';
import { LinkNotUsable, PublicLayout } from './PublicLayout';

const CHANNEL: Record<string, string> = { phone: 'by phone', chat: 'by chat', walk_in: 'in person', email: 'by e-mail', self_service: 'through self-service' };
const REASON: Record<string, string> = {
  lost_device: 'lost their MFA device',
  app_deleted: 'deleted their authenticator app',
  new_phone: 'has a new phone',
  codes_used_up: 'used up their backup codes',
  exposure: 'reported their codes exposed',
};

/** /a/<token>: the manager on file confirms or rejects a recovery request for someone who reports to them. */
export function AttestPage() {
  const { token = '' } = useParams();
  // Reading the request does not use the link; only the decision does.
  const request = useLoad(() => unwrap(api.POST('/v1/links/attestation-request', { body: { token } })), [token]);
  const [outcome, setOutcome] = useState<string>();
  const decide = useAction(async (decision: 'confirm' | 'reject') =>
    setOutcome((await unwrap(api.POST('/v1/links/attest', { body: { token, decision } }))).message),
  );

  if (outcome) {
    return (
      <PublicLayout title="Thank you">
        <p role="status">{outcome}</p>
      </PublicLayout>
    );
  }
  const refusal = (decide.error?.status !== 0 && decide.error) || request.error;
  if (refusal) return <LinkNotUsable error={refusal} />;
  if (!request.data) return <Loading what="Opening the request" />;
  return (
    <PublicLayout title="Please confirm a help-desk request">
      <Request request={request.data} />
      <p>
        Only confirm if you know this request is genuine — for example, the person told you themselves, in person or on a number you already had.{' '}
        <strong>Attackers call help desks pretending to be employees.</strong>
      </p>
      <ErrorNote error={decide.error} />
      <div className="row">
        <button type="button" onClick={() => void decide.run('confirm')} disabled={decide.busy}>
          Yes, I confirm this request
        </button>
        <button type="button" className="danger" onClick={() => void decide.run('reject')} disabled={decide.busy}>
          No — reject it
        </button>
      </div>
    </PublicLayout>
  );
}

function Request({ request }: { request: Schemas['AttestationRequestDto'] }) {
  const callback = [request.callback.name, request.callback.phone, request.callback.email].filter(Boolean).join(' · ');
  return (
    <dl className="facts">
      <dt>Who asked</dt>
      <dd>
        Someone saying they are <strong>{request.subjectName}</strong>, who {REASON[request.reason] ?? request.reason}
      </dd>
      <dt>When</dt>
      <dd>{formatTime(request.requestedAt)}</dd>
      <dt>How</dt>
      <dd>{CHANNEL[request.channel] ?? request.channel}</dd>
      <dt>Callback details the caller gave</dt>
      <dd>
        {callback || 'none given'} <small className="muted">(as given by the caller, not checked)</small>
      </dd>
      <dt>This link works until</dt>
      <dd>{formatTime(request.expiresAt)}</dd>
    </dl>
  );
}
