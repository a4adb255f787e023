import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAction } from '../../components/use-load';
import { ErrorNote } from '../../components/ui';
import { LinkNotUsable, PublicLayout } from './PublicLayout';

/** /c/<token>: "this wasn't me" — stops the recovery (also during cooling-off) and alerts security. */
export function CancelPage() {
  const { token = '' } = useParams();
  const [outcome, setOutcome] = useState<string>();
  const stop = useAction(async () => setOutcome((await unwrap(api.POST('/v1/links/cancel', { body: { token } }))).message));

  if (stop.error && stop.error.status !== 0) return <LinkNotUsable error={stop.error} />;
  if (outcome) {
    return (
      <PublicLayout title="The request was stopped">
        <p role="status">{outcome}</p>
        <h2>What happens next</h2>
        <ul>
          <li>No new codes will be issued from this request, and your current codes keep working.</li>
          <li>Our security team has been alerted and may contact you through your registered e-mail or phone.</li>
          <li>Someone may be trying to take over your account: do not share codes or one-time passwords with anyone who calls you.</li>
        </ul>
      </PublicLayout>
    );
  }
  return (
    <PublicLayout title="Did you ask for new backup codes?">
      <p>Someone asked the help desk to reset the MFA backup codes of your account.</p>
      <p>
        <strong>If it was not you</strong>, stop it now. This cancels the request, keeps your current codes, and alerts our security team.
      </p>
      <p className="muted">If it was you, there is nothing to do: close this page.</p>
      <ErrorNote error={stop.error} />
      <button type="button" className="danger" onClick={() => void stop.run()} disabled={stop.busy}>
        {stop.busy ? 'Stopping…' : 'This wasn’t me — stop it'}
      </button>
    </PublicLayout>
  );
}
