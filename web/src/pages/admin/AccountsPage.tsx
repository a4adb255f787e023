import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { Badge, Field, formatTime, LoadState, Panel, tierTone } from '../../components/ui';
import { AccountName, useAccountsById, type Account } from './AccountPicker';
import { AccountForm } from './AccountForm';
import { AccountImport } from './AccountImport';
import { ActiveBadge, DataTable, MoreButton, None, PageHead } from './admin-ui';
import { useKeysetList } from './use-keyset';

type Editing = { kind: 'create' } | { kind: 'edit'; account: Account } | { kind: 'import' } | undefined;

/** Admin: employees whose codes the desk keeps, their registered channels and directory facts. */
export function AccountsPage() {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Editing>();
  const [saved, setSaved] = useState<string>();
  const list = useKeysetList((cursor) => unwrap(api.GET('/v1/accounts', { params: { query: { q: q || undefined, cursor } } })), [q]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setQ(text.trim());
  };
  const open = (next: Editing) => {
    setSaved(undefined);
    setEditing(next);
  };

  return (
    <div className="adm-page">
      <PageHead
        title="Accounts"
        intro="Employees whose backup codes the desk keeps. One-time codes and links go only to the registered channels set here."
        actions={
          <>
            <button type="button" onClick={() => open({ kind: 'create' })}>
              New account
            </button>
            <button type="button" className="secondary" onClick={() => open({ kind: 'import' })}>
              Import CSV
            </button>
          </>
        }
      />
      {saved && (
        <p role="status" className="notice">
          {saved}
        </p>
      )}
      {editing?.kind === 'import' && <AccountImport onImported={() => void list.reload()} onCancel={() => setEditing(undefined)} />}
      {(editing?.kind === 'create' || editing?.kind === 'edit') && (
        <AccountForm
          key={editing.kind === 'edit' ? editing.account.id : 'new'}
          account={editing.kind === 'edit' ? editing.account : undefined}
          onCancel={() => setEditing(undefined)}
          onSaved={(account) => {
            setEditing(undefined);
            setSaved(`${account.displayName} (${account.externalId}) saved.`);
            void list.reload();
          }}
        />
      )}
      <Panel title="Accounts">
        <form onSubmit={search} role="search" aria-label="Search accounts" className="adm-search">
          <Field label="Search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Name, external id or exact e-mail" />
          <button type="submit">Search</button>
          {q && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setText('');
                setQ('');
              }}
            >
              Show all
            </button>
          )}
        </form>
        <LoadState
          loaded={list.loaded}
          empty={(items) => items.length === 0 && (q ? `No account matches “${q}”.` : 'No accounts yet: create one or import a directory export.')}
        >
          {(items) => <AccountTable items={items} onEdit={(account) => open({ kind: 'edit', account })} />}
        </LoadState>
        <MoreButton list={list} />
      </Panel>
    </div>
  );
}

function AccountTable({ items, onEdit }: { items: Account[]; onEdit(account: Account): void }) {
  const managers = useAccountsById(items.map((a) => a.managerId));
  return (
    <DataTable label="Accounts" columns={['Name', 'External id', 'Tier', 'E-mail', 'Phone', 'Manager', 'Employee no.', 'Cost centre', 'Status']} actions>
      {items.map((account) => (
        <tr key={account.id}>
          <td>{account.displayName}</td>
          <td>
            <code>{account.externalId}</code>
          </td>
          <td>
            <Badge tone={tierTone(account.tier)}>{account.tier}</Badge>
          </td>
          <td className="adm-break">{account.email}</td>
          <td className="adm-nowrap">{account.phone}</td>
          <td>{account.managerId ? <AccountName account={managers.get(account.managerId)} id={account.managerId} /> : <None />}</td>
          <td>{account.employeeNumber ?? <None />}</td>
          <td className="adm-nowrap">{account.costCentre ?? <None />}</td>
          <td>
            <ActiveBadge active={account.status === 'active'} />
            <span className="obx-sub">
              {account.source === 'directory' ? `from the directory, last changed ${formatTime(account.directoryChangedAt)}` : 'entered by hand'}
            </span>
          </td>
          <td>
            <button type="button" className="secondary" aria-label={`Edit ${account.displayName}`} onClick={() => onEdit(account)}>
              Edit
            </button>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
