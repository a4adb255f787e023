import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorNote, Field } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { isChangeRequest, type ChangeRequest } from './change-requests';
import type { CriticalSystem } from './admin-types';

/** k and the window: a change to either is sensitive (a lower k or a longer window is how an unlock gets easier). */
export function SystemRuleForm({ system, onApplied, onPending }: { system: CriticalSystem; onApplied(): void; onPending(request: ChangeRequest): void }) {
  const [k, setK] = useState(String(system.k));
  const [windowSeconds, setWindowSeconds] = useState(String(system.windowSeconds));
  const save = useAction(() =>
    unwrap(api.PATCH('/v1/critical-systems/{id}', { params: { path: { id: system.id } }, body: { k: Number(k), windowSeconds: Number(windowSeconds) } })),
  );
  const fields = save.error?.fieldMessages ?? {};
  const unchanged = Number(k) === system.k && Number(windowSeconds) === system.windowSeconds;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await save.run();
    if (!result) return;
    if (isChangeRequest(result)) onPending(result);
    else onApplied();
  };
  return (
    <form onSubmit={submit} aria-label={`Unlock rule of ${system.name}`} className="adm-inline-form">
      <div className="row">
        <Field label="Custodians needed (k)" type="number" min={2} max={10} value={k} onChange={(e) => setK(e.target.value)} error={fields.k} />
        <Field
          label="Window (seconds)"
          type="number"
          min={30}
          max={3600}
          value={windowSeconds}
          onChange={(e) => setWindowSeconds(e.target.value)}
          error={fields.windowSeconds}
        />
        <div className="adm-row-button">
          <button type="submit" disabled={save.busy || unchanged}>
            {save.busy ? 'Saving…' : 'Change the rule'}
          </button>
        </div>
      </div>
      <ErrorNote error={save.error} />
    </form>
  );
}
