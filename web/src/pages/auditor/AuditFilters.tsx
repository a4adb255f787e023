import { useId, useState, type FormEvent } from 'react';
import { Field, Select } from '../../components/ui';

/** What GET /v1/audit filters on; every value optional. */
export interface AuditFilter {
  action?: string;
  target?: string;
  actor?: string;
  from?: string;
  to?: string;
  limit: number;
}

export const PAGE_SIZES = ['25', '50', '100', '200'] as const;

/** `datetime-local` is the user's local time; the API wants an instant. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso?: string) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function AuditFilters({
  value,
  onApply,
  knownActions,
  errors,
}: {
  value: AuditFilter;
  onApply(filter: AuditFilter): void;
  knownActions: string[];
  errors: Record<string, string>;
}) {
  const [draft, setDraft] = useState({
    action: value.action ?? '',
    target: value.target ?? '',
    actor: value.actor ?? '',
    from: toLocal(value.from),
    to: toLocal(value.to),
  });
  const actionsId = useId();
  const text = (key: keyof typeof draft) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value })),
    error: errors[key],
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    onApply({
      action: draft.action.trim() || undefined,
      target: draft.target.trim() || undefined,
      actor: draft.actor.trim() || undefined,
      from: toIso(draft.from),
      to: toIso(draft.to),
      limit: value.limit,
    });
  };

  return (
    <form onSubmit={apply} aria-label="Filter the audit trail" className="adm-filters">
      <Field label="Action" list={actionsId} placeholder="account.created" {...text('action')} />
      <datalist id={actionsId}>
        {knownActions.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <Field label="Target id" placeholder="account, staff, ticket … id" {...text('target')} />
      <Field label="Actor (staff id)" {...text('actor')} />
      <Field label="From" type="datetime-local" {...text('from')} />
      <Field label="Until" type="datetime-local" {...text('to')} />
      <Select label="Per page" value={String(value.limit)} onChange={(e) => onApply({ ...value, limit: Number(e.target.value) })} options={PAGE_SIZES} />
      <div className="adm-actions adm-filter-buttons">
        <button type="submit">Apply filters</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft({ action: '', target: '', actor: '', from: '', to: '' });
            onApply({ limit: value.limit });
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
