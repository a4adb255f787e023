import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, ErrorNote, Field, formatTime, LoadState, Panel } from '../../components/ui';
import { useAction, useLoad } from '../../components/use-load';
import { CheckboxGroup, ConfirmButton } from './admin-ui';
import { IssuedTokenDialog, type IssuedToken } from './IssuedTokenDialog';
import type { StaffMember } from './admin-types';
import { grantsPrivilege, isChangeRequest, PendingRequestNote, SecondAdminNote, type ChangeRequest } from './change-requests';

type Token = Schemas['TokenDto'];
type Scope = Token['scopes'][number];

/** Every service-token scope once (docs/codes.md, Service tokens): a Record so the compiler notices a scope added to the API. */
const SCOPE_ORDER: Record<Scope, number> = { enrol: 1, verify: 2, exposure: 3, unlock: 4 };
const SERVICE_SCOPES = (Object.keys(SCOPE_ORDER) as Scope[]).sort((a, b) => SCOPE_ORDER[a] - SCOPE_ORDER[b]);

/** A member's tokens (never their secrets), issuing one (shown once) and revoking. */
export function StaffTokens({ member }: { member: StaffMember }) {
  const tokens = useLoad(() => unwrap(api.GET('/v1/staff/{id}/tokens', { params: { path: { id: member.id } } })), [member.id]);
  // The plain token lives here only while the dialog is open; dismissing sets it back to null.
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const revoke = useAction((tokenId: string) => unwrap(api.DELETE('/v1/staff/{id}/tokens/{tokenId}', { params: { path: { id: member.id, tokenId } } })));

  return (
    <Panel title="Tokens">
      <IssueTokenForm member={member} onIssued={setIssued} />
      {issued && (
        <IssuedTokenDialog
          issued={issued}
          onDismiss={() => {
            setIssued(null);
            void tokens.reload();
          }}
        />
      )}
      <ErrorNote error={revoke.error} />
      <LoadState loaded={tokens} empty={(list) => list.length === 0 && 'No tokens issued yet.'}>
        {(list) => (
          <ul className="adm-tokens" aria-label={`Tokens of ${member.name}`}>
            {list.map((token) => (
              <li key={token.id}>
                <div>
                  <strong>{token.label ?? 'Unlabelled token'}</strong> <TokenStatus token={token} />
                  <small className="muted adm-token-dates">
                    Issued {formatTime(token.createdAt)} · {token.expiresAt ? `expires ${formatTime(token.expiresAt)}` : 'never expires'}
                    {token.scopes.length > 0 && ` · scopes ${token.scopes.join(', ')} · from ${token.allowedCidrs?.join(', ') ?? 'any address'}`}
                  </small>
                </div>
                {!token.revokedAt && (
                  <ConfirmButton
                    label="Revoke"
                    warning="It stops working at once."
                    busy={revoke.busy}
                    onConfirm={async () => (await revoke.run(token.id)) && tokens.reload()}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </LoadState>
    </Panel>
  );
}

function TokenStatus({ token }: { token: Token }) {
  if (token.revokedAt) return <Badge tone="danger">revoked {formatTime(token.revokedAt)}</Badge>;
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return <Badge tone="warn">expired</Badge>;
  return <Badge tone="ok">active</Badge>;
}

function IssueTokenForm({ member, onIssued }: { member: StaffMember; onIssued(issued: IssuedToken): void }) {
  const [days, setDays] = useState('90');
  const [label, setLabel] = useState('');
  // A service member's token names what it may call, and may be fenced to client networks.
  const isService = member.roles.includes('service');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [networks, setNetworks] = useState('');
  const cidrs = networks
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const issue = useAction(() =>
    unwrap(
      api.POST('/v1/staff/{id}/tokens', {
        params: { path: { id: member.id } },
        body: { expiresInDays: Number(days), label: label.trim() || undefined, ...(isService && { scopes, allowedCidrs: cidrs.length ? cidrs : undefined }) },
      }),
    ),
  );
  const fields = issue.error?.fieldMessages ?? {};

  const [pending, setPending] = useState<ChangeRequest>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await issue.run();
    if (!result) return;
    if (isChangeRequest(result)) return setPending(result);
    onIssued({ token: result.token, staffName: member.name, label: result.label, expiresAt: result.expiresAt });
    setLabel('');
  };

  return (
    <form onSubmit={submit} aria-label="Issue a token" className="adm-inline-form">
      <div className="row">
        <Field label="Expires in (days)" type="number" min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} error={fields.expiresInDays} />
        <Field label="Label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={100} placeholder="e.g. laptop" error={fields.label} />
        {isService && (
          <>
            <CheckboxGroup
              legend="Scopes (what this service token may call)"
              options={SERVICE_SCOPES}
              value={scopes}
              onChange={setScopes}
              error={fields.scopes}
            />
            <Field
              label="Allowed networks"
              value={networks}
              onChange={(e) => setNetworks(e.target.value)}
              placeholder="e.g. 10.20.0.0/16 (empty: any address)"
              error={fields.allowedCidrs}
            />
          </>
        )}
        <div className="adm-row-button">
          <button
            type="submit"
            disabled={issue.busy || !member.active || (isService && scopes.length === 0)}
            title={member.active ? (isService && scopes.length === 0 ? 'Choose at least one scope' : undefined) : 'Reactivate the member first'}
          >
            {issue.busy ? 'Issuing…' : 'Issue token'}
          </button>
        </div>
      </div>
      <SecondAdminNote show={grantsPrivilege(member.roles)} />
      <PendingRequestNote request={pending} />
      <ErrorNote error={issue.error} />
    </form>
  );
}
