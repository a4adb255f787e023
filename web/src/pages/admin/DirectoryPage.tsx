import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, ErrorNote, Field, formatTime, LoadState, Panel } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-load';
import { useMe } from '../../session/session';
import { ConfirmButton, DataTable, FormFooter, PageHead, RefreshButton } from './admin-ui';
import { isChangeRequest, PendingRequestNote, SecondAdminNote, type ChangeRequest } from './change-requests';
import { IssuedTokenDialog, type IssuedToken } from './IssuedTokenDialog';

type Connection = Schemas['ScimConnectionDto'];
type Created = Schemas['CreatedScimConnectionDto'];

/** Admin: the directories (Okta, Entra ID) provisioning over SCIM, how busy each is, and their last errors. */
export function DirectoryPage() {
  const connections = useLoad(() => unwrap(api.GET('/v1/scim-connections')), []);
  const [issued, setIssued] = useState<IssuedToken & { baseUrl: string }>();
  const [name, setName] = useState('');
  const [pending, setPending] = useState<ChangeRequest>();
  const show = (created: Created) =>
    setIssued({
      token: created.secret,
      staffName: created.connection.name,
      label: `SCIM base URL ${created.baseUrl}`,
      expiresAt: null,
      baseUrl: created.baseUrl,
    });
  const create = useAction(async () => {
    const created = await unwrap(api.POST('/v1/scim-connections', { body: { name } }));
    if (isChangeRequest(created)) setPending(created);
    else show(created);
    setName('');
    await connections.reload();
  });
  // A connection a second admin approved: its requester fetches the secret, once.
  const fetchSecret = useAction(async (id: string) => {
    show(await unwrap(api.POST('/v1/scim-connections/{id}/secret', { params: { path: { id } } })));
    await connections.reload();
  });
  const revoke = useAction(async (id: string) => {
    await unwrap(api.POST('/v1/scim-connections/{id}/revoke', { params: { path: { id } } }));
    await connections.reload();
  });

  return (
    <div className="adm-page">
      <PageHead
        title="Directory"
        intro="Directories that provision employees over SCIM 2.0 at /scim/v2. Each has its own secret, shown once when it is created; revoking it stops the directory at once."
        actions={<RefreshButton list={{ loaded: connections, reload: connections.reload }} />}
      />
      <Panel title="New connection">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <Field
            label="Name"
            value={name}
            required
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            hint="What the directory is, e.g. Okta production"
          />
          <SecondAdminNote show />
          <PendingRequestNote request={pending} />
          <FormFooter
            error={create.error}
            busy={create.busy}
            label="Create connection"
            busyLabel="Creating…"
            disabled={!name.trim()}
            cancelLabel="Clear"
            onCancel={() => setName('')}
          />
        </form>
      </Panel>
      <ErrorNote error={revoke.error ?? fetchSecret.error} />
      <Panel title="Connections">
        <LoadState loaded={connections} empty={(list) => list.length === 0 && 'No SCIM connections yet.'}>
          {(list) => (
            <ConnectionsTable
              items={list}
              busy={revoke.busy || fetchSecret.busy}
              onRevoke={(id) => revoke.run(id)}
              onFetchSecret={(id) => fetchSecret.run(id)}
            />
          )}
        </LoadState>
      </Panel>
      {issued && <IssuedTokenDialog issued={issued} onDismiss={() => setIssued(undefined)} />}
    </div>
  );
}

function ConnectionsTable({
  items,
  busy,
  onRevoke,
  onFetchSecret,
}: {
  items: Connection[];
  busy: boolean;
  onRevoke: (id: string) => Promise<unknown>;
  onFetchSecret: (id: string) => Promise<unknown>;
}) {
  const me = useMe();
  return (
    <DataTable label="SCIM connections" columns={['Connection', 'Last request', 'Creates / updates / deactivations', 'Last errors']} actions>
      {items.map((c) => (
        <tr key={c.id}>
          <td>
            {c.name}{' '}
            {c.revokedAt ? (
              <Badge tone="danger">revoked</Badge>
            ) : c.awaitingSecret ? (
              <Badge tone="warn">awaiting its secret</Badge>
            ) : (
              <Badge tone="ok">active</Badge>
            )}
            <span className="obx-sub">
              created {formatTime(c.createdAt)} by <span className="mono">{c.createdBy}</span>
            </span>
          </td>
          <td>{c.lastRequestAt ? formatTime(c.lastRequestAt) : 'never'}</td>
          <td>
            {c.creates} / {c.updates} / {c.deactivations}
            <span className="obx-sub">
              {c.requests} requests, {c.errors} errors
            </span>
          </td>
          <td>
            {c.lastErrors.length === 0
              ? 'none'
              : c.lastErrors.slice(0, 3).map((e) => (
                  <span key={e.at + e.detail} className="obx-sub">
                    {formatTime(e.at)} {e.method} {e.status} {e.scimType ?? ''}: {e.detail}
                  </span>
                ))}
          </td>
          <td>
            {!c.revokedAt && c.awaitingSecret && c.createdBy === `staff:${me.id}` && (
              <button type="button" disabled={busy} onClick={() => void onFetchSecret(c.id)}>
                Show its secret (once)
              </button>
            )}
            {!c.revokedAt && c.awaitingSecret && c.createdBy !== `staff:${me.id}` && (
              <span className="obx-sub">only the admin who asked for it can fetch its secret</span>
            )}
            {!c.revokedAt && (
              <ConfirmButton label="Revoke" warning={`${c.name} will no longer be able to provision.`} busy={busy} onConfirm={() => onRevoke(c.id)} />
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
