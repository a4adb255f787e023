import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, ErrorNote, Panel } from '../../components/ui';
import { useAction } from '../../components/use-load';

type Verdict = Schemas['ChainVerdictDto'];

/** Recomputes the hash chain on the server and says whether it holds, or where it first breaks. */
export function ChainVerify({ onVerdict }: { onVerdict(verdict: Verdict | undefined): void }) {
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
      title="Chain integrity"
      actions={
        <button type="button" disabled={verify.busy} onClick={() => void verify.run()}>
          {verify.busy ? 'Verifying…' : 'Verify chain'}
        </button>
      }
    >
      <ErrorNote error={verify.error} />
      {!verdict && !verify.error && (
        <p className="muted adm-note">Recomputes every event’s hash from the first one and names the first link that does not hold.</p>
      )}
      {verdict?.ok && (
        <p role="status" className="adm-verdict adm-verdict-ok">
          <Badge tone="ok">ok</Badge> The chain holds: <strong>{verdict.checked.toLocaleString()}</strong> events checked.
        </p>
      )}
      {verdict && !verdict.ok && (
        <div role="alert" className="adm-verdict adm-verdict-broken">
          <p>
            <Badge tone="danger">broken</Badge> The chain is broken at event <strong className="adm-broken-seq">#{verdict.firstBrokenSeq}</strong>
            {verdict.reason ? `: ${verdict.reason}` : ''}.
          </p>
          <p>
            The {verdict.checked.toLocaleString()} events before it hold. Everything from #{verdict.firstBrokenSeq} on cannot be trusted until it is explained:
            the row was changed outside the application.
          </p>
        </div>
      )}
    </Panel>
  );
}
