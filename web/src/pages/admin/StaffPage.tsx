import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Badge, formatTime, LoadState, Panel } from '../../components/ui';
import { AccountName, useAccountsById } from './AccountPicker';
import { ActiveBadge, DataTable, MoreButton, None, PageHead } from './admin-ui';
import { StaffCreateForm } from './StaffCreateForm';
import { StaffDetail } from './StaffDetail';
import type { StaffMember } from './admin-types';
import { useKeysetList } from './use-keyset';

/** Admin: the desk's operators, their roles and their bearer tokens. */
export function StaffPage() {
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<string>();
  const list = useKeysetList((cursor) => unwrap(api.GET('/v1/staff', { params: { query: { cursor } } })), []);

  const changed = (member: StaffMember) => {
    setSelected(member.id);
    void list.reload();
  };

  return (
    <div className="adm-page">
      <PageHead
        title="Staff"
        intro="Operators of the desk, their roles and their tokens. A token is shown once, when it is issued."
        actions={
          !creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New staff member
            </button>
          )
        }
      />
      {creating && (
        <StaffCreateForm
          onCancel={() => setCreating(false)}
          onCreated={(member) => {
            setCreating(false);
            changed(member);
          }}
        />
      )}
      <div className={selected ? 'adm-split' : undefined}>
        <Panel title="Members">
          <LoadState loaded={list.loaded} empty={(items) => items.length === 0 && 'No staff members yet.'}>
            {(items) => <StaffTable items={items} selected={selected} onSelect={setSelected} />}
          </LoadState>
          <MoreButton list={list} />
        </Panel>
        {selected && <StaffDetail key={selected} id={selected} onChanged={changed} onClose={() => setSelected(undefined)} />}
      </div>
    </div>
  );
}

function StaffTable({ items, selected, onSelect }: { items: StaffMember[]; selected?: string; onSelect(id: string): void }) {
  const accounts = useAccountsById(items.map((m) => m.accountId));
  return (
    <DataTable label="Staff members" columns={['Name', 'Roles', 'Linked account', 'Status', 'Created']} actions>
      {items.map((member) => (
        <tr key={member.id} className={member.id === selected ? 'adm-selected' : undefined}>
          <td>{member.name}</td>
          <td>
            <span className="adm-badges">
              {member.roles.map((role) => (
                <Badge key={role} tone={role === 'admin' ? 'warn' : 'info'}>
                  {role}
                </Badge>
              ))}
            </span>
          </td>
          <td>{member.accountId ? <AccountName account={accounts.get(member.accountId)} id={member.accountId} /> : <None />}</td>
          <td>
            <ActiveBadge active={member.active} />
          </td>
          <td className="adm-nowrap">{formatTime(member.createdAt)}</td>
          <td>
            <button type="button" className="secondary" aria-label={`Manage ${member.name}`} onClick={() => onSelect(member.id)}>
              Manage
            </button>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
