import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { LoadState } from '../../components/ui';
import { useLoad } from '../../components/use-load';
import { useAccountsById } from './AccountPicker';
import { PageHead } from './admin-ui';
import { SecondAdminNote } from './change-requests';
import { SystemCard } from './SystemCard';
import { SystemCreateForm } from './SystemCreateForm';

/** Admin: systems unlocked only by k distinct custodians presenting codes within a window. */
export function SystemsPage() {
  const [creating, setCreating] = useState(false);
  const systems = useLoad(() => unwrap(api.GET('/v1/critical-systems')), []);
  const accounts = useAccountsById(systems.data?.flatMap((s) => s.custodianIds) ?? []);

  return (
    <div className="adm-page">
      <PageHead
        title="Critical systems"
        intro="Each unlocks only when k distinct custodians each present one of their own backup codes within the window: codes they held before being added and for at least a week, or got through a recovery ticket. Changing k, the window or the custodians needs a second admin."
        actions={
          !creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New critical system
            </button>
          )
        }
      />
      <SecondAdminNote show />
      {creating && (
        <SystemCreateForm
          onCancel={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            void systems.reload();
          }}
        />
      )}
      <LoadState loaded={systems} empty={(list) => list.length === 0 && 'No critical systems yet.'}>
        {(list) => (
          <div className="adm-cards">
            {list.map((system) => (
              <SystemCard key={system.id} system={system} accounts={accounts} onChanged={() => void systems.reload()} />
            ))}
          </div>
        )}
      </LoadState>
    </div>
  );
}
