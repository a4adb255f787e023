import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAction } from '../../components/use-load';
import { ErrorNote } from '../../components/ui';
import { LinkNotUsable, PublicLayout } from './PublicLayout';

/** /n/<token>: the account-level "this wasn't me" — holds every recovery of the account and alerts security. */
export function NotMePage() {
  const { token = '' } = useParams();
  const [outcome, setOutcome] = useState<string>();
  const report = useAction(async () => setOutcome((await unwrap(api.POST('/v1/links/not-me', { body: { token } }))).message));

  if (report.error && report.error.status !== 0) return <LinkNotUsable error={report.error} />;
  if (outcome) {
    return (
      <PublicLayout title="Your account is on hold">
        <p role="status">{outcome}</p>
        <h2>What happens next</h2>
        <ul>
          <li>Nobody can get new backup codes for your account, through the help desk or otherwise, until security has looked at it.</li>
          <li>Our security team may contact you through your registered e-mail or phone.</li>
          <li>Do not share codes or one-time passwords with anyone who calls you.</li>
        </ul>
      </PublicLayout>
    );
  }
  return (
    <PublicLayout title="Was this you?">
      <p>We told you about a change to the sign-in of your account (for example, backup codes being set up).</p>
      <p>
        <strong>If it was not you</strong>, report it now. This holds every recovery of your account and alerts our security team.
      </p>
      <p className="muted">If it was you, there is nothing to do: close this page.</p>
      <ErrorNote error={report.error} />
      <button type="button" className="danger" onClick={() => void report.run()} disabled={report.busy}>
        {report.busy ? 'Reporting…' : 'This wasn’t me — hold my account'}
      </button>
    </PublicLayout>
  );
}
