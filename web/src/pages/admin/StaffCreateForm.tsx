import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { Field, Panel } from '../../components/ui';
import { useAction } from '../../components/use-load';
import type { Role } from '../../session/session';
import { AccountChoice } from './AccountPicker';
import { CheckboxGroup, FormFooter } from './admin-ui';
import { STAFF_ROLES } from './staff-roles';
import type { StaffMember } from './admin-types';
import { grantsPrivilege, isChangeRequest, PendingRequestNote, SecondAdminNote, type ChangeRequest } from './change-requests';

export function StaffCreateForm({ onCreated, onCancel }: { onCreated(member: StaffMember): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [accountId, setAccountId] = useState<string | null>(null);
  const create = useAction(() => unwrap(api.POST('/v1/staff', { body: { name: name.trim(), roles, accountId: accountId ?? undefined } })));
  const fields = create.error?.fieldMessages ?? {};

  const [pending, setPending] = useState<ChangeRequest>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const member = await create.run();
    if (member && isChangeRequest(member)) setPending(member);
    else if (member) onCreated(member);
  };

  return (
    <Panel title="New staff member">
      <form onSubmit={submit} aria-label="New staff member" className="adm-form">
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} maxLength={200} required />
        <CheckboxGroup legend="Roles" options={STAFF_ROLES} value={roles} onChange={setRoles} error={fields.roles} />
        <AccountChoice label="Linked account" value={accountId} onChange={setAccountId} error={fields.accountId} />
        <p className="muted adm-note">Link the employee account this operator is, so the desk can refuse them work on their own recovery.</p>
        <SecondAdminNote show={grantsPrivilege(roles)} />
        <PendingRequestNote request={pending} />
        <FormFooter
          error={create.error}
          busy={create.busy}
          label="Create staff member"
          busyLabel="Creating…"
          disabled={name.trim() === '' || roles.length === 0}
          onCancel={onCancel}
        />
      </form>
    </Panel>
  );
}
