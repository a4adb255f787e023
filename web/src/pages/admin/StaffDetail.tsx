import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorNote, LoadState, Panel } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-load';
import { useMe, type Role } from '../../session/session';
import { AccountChoice } from './AccountPicker';
import { ActiveBadge, CheckboxGroup, ConfirmButton } from './admin-ui';
import { STAFF_ROLES } from './staff-roles';
import type { StaffMember } from './admin-types';
import { StaffTokens } from './StaffTokens';
import { grantsPrivilege, isChangeRequest, PendingRequestNote, SecondAdminNote, type ChangeRequest } from './change-requests';

/** One member: roles, linked account, active or not, and tokens. */
export function StaffDetail({ id, onChanged, onClose }: { id: string; onChanged(member: StaffMember): void; onClose(): void }) {
  const member = useLoad(() => unwrap(api.GET('/v1/staff/{id}', { params: { path: { id } } })), [id]);
  const saved = (updated: StaffMember) => {
    void member.reload();
    onChanged(updated);
  };
  return (
    <div className="adm-detail">
      <Panel
        title={member.data ? `Manage ${member.data.name}` : 'Manage staff member'}
        actions={
          <button type="button" className="link-button" onClick={onClose}>
            Close
          </button>
        }
      >
        <LoadState loaded={member}>{(m) => <StaffEditor key={m.id + String(m.active)} member={m} onSaved={saved} />}</LoadState>
      </Panel>
      {member.data && <StaffTokens member={member.data} />}
    </div>
  );
}

function StaffEditor({ member, onSaved }: { member: StaffMember; onSaved(member: StaffMember): void }) {
  const me = useMe();
  const self = me.id === member.id;
  const [roles, setRoles] = useState<Role[]>(member.roles);
  const [accountId, setAccountId] = useState<string | null>(member.accountId);
  const update = useAction((body: { roles?: Role[]; accountId?: string | null; active?: boolean }) =>
    unwrap(api.PATCH('/v1/staff/{id}', { params: { path: { id: member.id } }, body })),
  );
  const fields = update.error?.fieldMessages ?? {};
  const dirty = roles.join() !== member.roles.join() || accountId !== member.accountId;

  const [pending, setPending] = useState<ChangeRequest>();
  const done = (updated: StaffMember | ChangeRequest | undefined) => {
    if (updated && isChangeRequest(updated)) setPending(updated);
    else if (updated) onSaved(updated);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    done(await update.run({ roles, accountId }));
  };
  const setActive = async (active: boolean) => done(await update.run({ active }));

  return (
    <form onSubmit={save} aria-label={`Edit ${member.name}`} className="adm-form">
      <p className="adm-status-line">
        <ActiveBadge active={member.active} /> <code className="adm-id">{member.id}</code>
      </p>
      {/* Taking admin away from oneself, or deactivating oneself, would lock the current admin out mid-task. */}
      <CheckboxGroup
        legend="Roles"
        options={STAFF_ROLES}
        value={roles}
        onChange={setRoles}
        disabled={(role) => self && role === 'admin'}
        error={fields.roles}
      />
      <AccountChoice label="Linked account" value={accountId} onChange={setAccountId} error={fields.accountId} />
      <SecondAdminNote show={grantsPrivilege(roles, member.roles) || !member.active} />
      <PendingRequestNote request={pending} />
      <ErrorNote error={update.error} />
      <div className="adm-actions">
        <button type="submit" disabled={update.busy || !dirty || roles.length === 0}>
          {update.busy ? 'Saving…' : 'Save changes'}
        </button>
        {self ? (
          <span className="muted adm-note">This is you: another admin can change your admin role or deactivate you.</span>
        ) : member.active ? (
          <ConfirmButton label="Deactivate" warning="Every token of theirs stops working at once." busy={update.busy} onConfirm={() => setActive(false)} />
        ) : (
          <button type="button" className="secondary" disabled={update.busy} onClick={() => void setActive(true)}>
            Reactivate
          </button>
        )}
      </div>
    </form>
  );
}
