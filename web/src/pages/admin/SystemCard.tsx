import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorNote, formatTime, Panel } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { AccountName, AccountPicker, type Account } from './AccountPicker';
import { isChangeRequest, PendingRequestNote, type ChangeRequest } from './change-requests';
import { SystemRuleForm } from './SystemRuleForm';
import type { CriticalSystem } from './admin-types';

const seconds = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/**
 * One system: its rule, its custodians, adding and removing them (the server refuses going below k). Changing k, the
 * window or the custodians needs a second admin once two exist: the card says so, and shows the pending request.
 */
export function SystemCard({ system, accounts, onChanged }: { system: CriticalSystem; accounts: Map<string, Account>; onChanged(): void }) {
  const path = { params: { path: { id: system.id } } };
  const [pending, setPending] = useState<ChangeRequest>();
  const add = useAction((accountId: string) => unwrap(api.POST('/v1/critical-systems/{id}/custodians', { ...path, body: { accountId } })));
  const remove = useAction((accountId: string) =>
    unwrap(api.DELETE('/v1/critical-systems/{id}/custodians/{accountId}', { params: { path: { id: system.id, accountId } } })),
  );
  const changed = (result: object) => {
    if (isChangeRequest(result)) setPending(result);
    onChanged();
  };
  const change = async (action: typeof add, accountId: string) => {
    add.clearError();
    remove.clearError();
    const result = await action.run(accountId);
    if (result) changed(result);
  };

  return (
    <Panel title={system.name}>
      <div className="adm-system" aria-label={`Critical system ${system.name}`} role="group">
        {system.description && <p>{system.description}</p>}
        <dl className="adm-facts">
          <div>
            <dt>Custodians needed (k)</dt>
            <dd>
              {system.k} of {system.custodianIds.length}
            </dd>
          </div>
          <div>
            <dt>Window</dt>
            <dd>{seconds(system.windowSeconds)}</dd>
          </div>
          <div>
            <dt>Grant lifetime</dt>
            <dd>{seconds(system.grantTtlSeconds)}</dd>
          </div>
          <div>
            <dt>Changed</dt>
            <dd>{formatTime(system.updatedAt)}</dd>
          </div>
        </dl>
        {pending ? (
          <PendingRequestNote request={pending} />
        ) : (
          system.pendingChangeRequestId && (
            <p role="status" className="notice adm-result">
              Waiting for a second admin: change request <code>{system.pendingChangeRequestId}</code> changes this system once another admin approves it under
              Change requests; no other change to it can be asked until then.
            </p>
          )
        )}
        <SystemRuleForm key={`${system.k}:${system.windowSeconds}`} system={system} onApplied={onChanged} onPending={changed} />
        <h3>Custodians</h3>
        <ul className="adm-custodians">
          {system.custodianIds.map((id) => (
            <li key={id}>
              <AccountName account={accounts.get(id)} id={id} />
              <button
                type="button"
                className="secondary adm-danger-outline"
                disabled={remove.busy}
                aria-label={`Remove custodian ${accounts.get(id)?.displayName ?? id}`}
                onClick={() => void change(remove, id)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        <ErrorNote error={remove.error ?? add.error} />
        <AccountPicker label="Add a custodian" exclude={system.custodianIds} onPick={(account) => void change(add, account.id)} />
      </div>
    </Panel>
  );
}
