import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Field, Panel, Select } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { AccountChoice, type Account } from './AccountPicker';
import { FormFooter } from './admin-ui';
import { isChangeRequest, PendingRequestNote, SecondAdminNote, type ChangeRequest } from './change-requests';

const TIERS = ['standard', 'privileged', 'critical'] as const satisfies readonly Account['tier'][];
const STATUSES = ['active', 'deactivated'] as const satisfies readonly Account['status'][];
const TIER_STRENGTH = { standard: 0, privileged: 1, critical: 2 } as const;

/** The edits that need a second admin (the server decides; this says so before submitting). */
const isSensitive = (draft: Draft, before: Draft) =>
  TIER_STRENGTH[draft.tier] < TIER_STRENGTH[before.tier] ||
  draft.email.trim() !== before.email ||
  draft.phone.trim() !== before.phone ||
  draft.managerId !== before.managerId ||
  (draft.status === 'deactivated' && before.status !== 'deactivated');

type Draft = {
  externalId: string;
  displayName: string;
  tier: Account['tier'];
  email: string;
  phone: string;
  managerId: string | null;
  employeeNumber: string;
  costCentre: string;
  status: Account['status'];
};

const draftOf = (a?: Account): Draft => ({
  externalId: a?.externalId ?? '',
  displayName: a?.displayName ?? '',
  tier: a?.tier ?? 'standard',
  email: a?.email ?? '',
  phone: a?.phone ?? '',
  managerId: a?.managerId ?? null,
  employeeNumber: a?.employeeNumber ?? '',
  costCentre: a?.costCentre ?? '',
  status: a?.status ?? 'active',
});

/** The fields as the API takes them; a blank optional field becomes `blank` (left out on create, null to clear on edit). */
const fieldsOf = (draft: Draft, blank: null | undefined, withStatus: boolean): Schemas['UpdateAccountDto'] => ({
  externalId: draft.externalId.trim(),
  displayName: draft.displayName.trim(),
  tier: draft.tier,
  email: draft.email.trim(),
  phone: draft.phone.trim(),
  managerId: draft.managerId ?? blank,
  employeeNumber: draft.employeeNumber.trim() || blank,
  costCentre: draft.costCentre.trim() || blank,
  ...(withStatus && { status: draft.status }),
});

/** An edit sends what changed only, so the audit trail records just that. */
function changesOf(draft: Draft, before: Draft): Schemas['UpdateAccountDto'] {
  const previous = fieldsOf(before, null, true) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(fieldsOf(draft, null, true)).filter(([key, value]) => previous[key] !== value));
}

/** Create an account, or edit one (all fields an admin sets), with the server's refusals at their fields. */
export function AccountForm({ account, onSaved, onCancel }: { account?: Account; onSaved(account: Account): void; onCancel(): void }) {
  const [draft, setDraft] = useState(() => draftOf(account));
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const save = useAction(() =>
    account
      ? unwrap(api.PATCH('/v1/accounts/{id}', { params: { path: { id: account.id } }, body: changesOf(draft, draftOf(account)) }))
      : unwrap(api.POST('/v1/accounts', { body: fieldsOf(draft, undefined, false) as Schemas['CreateAccountDto'] })),
  );
  const fields = save.error?.fieldMessages ?? {};
  const text = (key: 'externalId' | 'displayName' | 'email' | 'phone' | 'employeeNumber' | 'costCentre') => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => set(key)(e.target.value),
    error: fields[key],
  });

  const [pending, setPending] = useState<ChangeRequest>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await save.run();
    if (saved && isChangeRequest(saved)) setPending(saved);
    else if (saved) onSaved(saved);
  };

  const title = account ? `Edit ${account.displayName}` : 'New account';
  return (
    <Panel title={title}>
      <form onSubmit={submit} aria-label={title} className="adm-form" noValidate>
        <div className="adm-form-grid">
          <Field label="External id" {...text('externalId')} hint="The directory’s id for the employee" required />
          <Field label="Display name" {...text('displayName')} required />
          <Select label="Tier" value={draft.tier} onChange={(e) => set('tier')(e.target.value as Draft['tier'])} options={TIERS} />
          <Field label="E-mail" type="email" {...text('email')} hint="Registered channel: one-time codes go only here" required />
          <Field label="Phone" type="tel" {...text('phone')} hint="E.164, such as +447700900234" required />
          <Field label="Employee number" {...text('employeeNumber')} />
          <Field label="Cost centre" {...text('costCentre')} />
          {account && <Select label="Status" value={draft.status} onChange={(e) => set('status')(e.target.value as Draft['status'])} options={STATUSES} />}
        </div>
        <AccountChoice label="Manager" value={draft.managerId} onChange={set('managerId')} error={fields.managerId} exclude={account ? [account.id] : []} />
        <SecondAdminNote show={!!account && isSensitive(draft, draftOf(account))} />
        <PendingRequestNote request={pending} />
        <FormFooter error={save.error} busy={save.busy} label={account ? 'Save changes' : 'Create account'} busyLabel="Saving…" onCancel={onCancel} />
      </form>
    </Panel>
  );
}
