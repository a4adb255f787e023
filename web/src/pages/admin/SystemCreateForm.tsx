import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { Field, Panel, TextArea } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { AccountName, AccountPicker, type Account } from './AccountPicker';
import { FormFooter } from './admin-ui';

/** The numbers of the unlock rule, with the server's bounds and defaults. */
const SETTINGS = [
  { key: 'k', label: 'Custodians needed (k)', min: 2, max: 10, initial: 2 },
  { key: 'windowSeconds', label: 'Window (seconds)', min: 30, max: 3600, initial: 300 },
  { key: 'grantTtlSeconds', label: 'Grant lifetime (seconds)', min: 60, max: 86_400, initial: 900 },
] as const;
type Setting = (typeof SETTINGS)[number]['key'];

export function SystemCreateForm({ onCreated, onCancel }: { onCreated(): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [numbers, setNumbers] = useState(() => Object.fromEntries(SETTINGS.map((s) => [s.key, String(s.initial)])) as Record<Setting, string>);
  const [custodians, setCustodians] = useState<Account[]>([]);
  const create = useAction(() =>
    unwrap(
      api.POST('/v1/critical-systems', {
        body: {
          name: name.trim(),
          description: description.trim() || undefined,
          k: Number(numbers.k),
          windowSeconds: Number(numbers.windowSeconds),
          grantTtlSeconds: Number(numbers.grantTtlSeconds),
          custodianIds: custodians.map((c) => c.id),
        },
      }),
    ),
  );
  const fields = create.error?.fieldMessages ?? {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await create.run()) onCreated();
  };

  return (
    <Panel title="New critical system">
      <form onSubmit={submit} aria-label="New critical system" className="adm-form">
        <div className="adm-form-grid">
          <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} maxLength={120} placeholder="payments-hsm" required />
          {SETTINGS.map(({ key, label, min, max, initial }) => (
            <Field
              key={key}
              label={label}
              type="number"
              min={min}
              max={max}
              value={numbers[key]}
              onChange={(e) => setNumbers((n) => ({ ...n, [key]: e.target.value }))}
              error={fields[key]}
              hint={`${min} – ${max}; default ${initial}`}
            />
          ))}
        </div>
        <TextArea
          label="Description (optional)"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={1000}
          rows={2}
          error={fields.description}
        />
        <fieldset className="adm-checks" aria-invalid={fields.custodianIds ? true : undefined}>
          <legend>Custodians ({custodians.length} chosen; at least k)</legend>
          {custodians.length === 0 && <p className="muted adm-note">None yet: find accounts below.</p>}
          <ul className="adm-custodians">
            {custodians.map((account) => (
              <li key={account.id}>
                <AccountName account={account} />
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Take ${account.displayName} off the list`}
                  onClick={() => setCustodians((list) => list.filter((c) => c.id !== account.id))}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <AccountPicker label="Find a custodian" exclude={custodians.map((c) => c.id)} onPick={(account) => setCustodians((list) => [...list, account])} />
          {fields.custodianIds && <small className="field-error">{fields.custodianIds}</small>}
        </fieldset>
        <FormFooter
          error={create.error}
          busy={create.busy}
          label="Create critical system"
          busyLabel="Creating…"
          disabled={name.trim() === ''}
          onCancel={onCancel}
        />
      </form>
    </Panel>
  );
}
