import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, ErrorNote, Panel } from '../../components/ui';
import { useAction } from '../../components/use-load';

type Verdict = Schemas['AuditVerdictDto'];

/**
 * Recomputes the log on the server from its events and holds it to every checkpoint its witness published
 * (signed outside the database), then says whether it holds or names the first event that does not.
 */
export function LogVerify({ onVerdict }: { onVerdict(verdict: Verdict | undefined): void }) {
  const [verdict, setVerdict] = useState<Verdict>();
  const verify = useAction(async () => {
    setVerdict(undefined);
    onVerdict(undefined);
    const result = await unwrap(api.GET('/v1/audit/verify'));
    setVerdict(result);
    onVerdict(result);
  });
  return (
    <Panel
      title="Log integrity"
      actions={
        <button type="button" disabled={verify.busy} onClick={() => void verify.run()}>
          {verify.busy ? 'Verifying…' : 'Verify log'}
        </button>
      }
    >
      <ErrorNote error={verify.error} />
      {!verdict && !verify.error && (
        <p className="muted adm-note">
          Recomputes every event into the Merkle tree and checks it against each signed checkpoint the witness holds, outside the database: an edited,
          reordered, deleted or swapped event is named.
        </p>
      )}
      {verdict?.ok && (
        <p role="status" className="adm-verdict adm-verdict-ok">
          <Badge tone="ok">ok</Badge> The log holds: <strong>{verdict.checked.toLocaleString()}</strong> events recomputed, consistent with{' '}
          {verdict.checkpoints.toLocaleString()} signed checkpoints (the newest covers {verdict.checkpointSize.toLocaleString()}).
          {verdict.pending > 0 && ` ${verdict.pending.toLocaleString()} newer events are not in the tree yet.`}
          {verdict.checkpoints === 0 && ' No signed checkpoint yet: only the hashes stored in the database were checked.'}
        </p>
      )}
      {verdict && !verdict.ok && (
        <div role="alert" className="adm-verdict adm-verdict-broken">
          <p>
            <Badge tone="danger">broken</Badge> The log is broken
            {verdict.firstBrokenSeq !== undefined ? (
              <>
                {' '}
                at event <strong className="adm-broken-seq">#{verdict.firstBrokenSeq}</strong>
              </>
            ) : (
              verdict.firstBrokenLeaf !== undefined && ` at leaf ${verdict.firstBrokenLeaf}`
            )}
            {verdict.reason ? `: ${verdict.reason}` : ''}.
          </p>
          <p>
            The {verdict.checked.toLocaleString()} events before it hold. What follows cannot be trusted until it is explained: the log was changed outside the
            application.
          </p>
        </div>
      )}
    </Panel>
  );
}
