import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, ErrorNote, Field, tierTone } from '../../components/ui';
import { useLoad } from '../../components/use-load';

export type Account = Schemas['AccountDto'];

/** Searches accounts as the admin types (name, external id or exact e-mail) and offers each match to pick. */
export function AccountPicker({
  label,
  hint,
  exclude = [],
  onPick,
}: {
  label: string;
  hint?: string;
  exclude?: readonly string[];
  onPick(account: Account): void;
}) {
  const [text, setText] = useState('');
  const [term, setTerm] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setTerm(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const found = useLoad(async () => (term ? (await unwrap(api.GET('/v1/accounts', { params: { query: { q: term, limit: 8 } } }))).items : []), [term]);
  const matches = (found.data ?? []).filter((a) => !exclude.includes(a.id));
  const pick = (account: Account) => {
    onPick(account);
    setText('');
  };

  return (
    <div className="adm-picker">
      <Field
        label={label}
        type="search"
        value={text}
        onChange={(e) => setText(e.target.value)}
        // Enter picks a single match instead of submitting the form around the picker.
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          if (matches.length === 1) pick(matches[0]);
        }}
        hint={hint ?? 'Name, external id or exact e-mail'}
        autoComplete="off"
      />
      <ErrorNote error={found.error} />
      {term && !found.loading && matches.length === 0 && !found.error && <p className="muted adm-picker-none">No account matches “{term}”.</p>}
      {term && matches.length > 0 && (
        <ul className="adm-picker-results" aria-label={`Matches for ${label}`}>
          {matches.map((account) => (
            <li key={account.id}>
              <button type="button" className="secondary" aria-label={`Pick ${account.displayName} (${account.externalId})`} onClick={() => pick(account)}>
                <AccountName account={account} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** "Jane Doe · E10442 · privileged", or the bare id while (or if) the account cannot be read. */
export function AccountName({ account, id }: { account?: Account; id?: string }) {
  if (!account) return <code className="adm-id">{id}</code>;
  return (
    <span className="adm-account-name">
      <span>{account.displayName}</span> <small className="muted">{account.externalId}</small> <Badge tone={tierTone(account.tier)}>{account.tier}</Badge>
      {account.status !== 'active' && <Badge tone="danger">{account.status}</Badge>}
    </span>
  );
}

/** The accounts behind a set of ids (custodians, linked accounts, managers), read once per set. */
export function useAccountsById(ids: readonly (string | null | undefined)[]): Map<string, Account> {
  const key = [...new Set(ids.filter((id): id is string => !!id))].sort().join(',');
  const loaded = useLoad(async () => {
    const accounts = await Promise.all(
      key
        .split(',')
        .filter(Boolean)
        .map((id) => unwrap(api.GET('/v1/accounts/{id}', { params: { path: { id } } })).catch(() => undefined)),
    );
    return new Map(accounts.filter((a): a is Account => !!a).map((a) => [a.id, a]));
  }, [key]);
  return loaded.data ?? new Map();
}

/** An optional account reference in a form: who is chosen now, a way to clear it, and the picker to choose another. */
export function AccountChoice({
  label,
  value,
  onChange,
  error,
  exclude,
}: {
  label: string;
  value: string | null;
  onChange(id: string | null): void;
  error?: string;
  exclude?: readonly string[];
}) {
  const known = useAccountsById([value]);
  return (
    <div className="field adm-choice">
      <span className="adm-choice-label">{label}</span>
      {value ? (
        <span className="adm-choice-current">
          <AccountName account={known.get(value)} id={value} />
          <button type="button" className="link-button" onClick={() => onChange(null)}>
            Clear
          </button>
        </span>
      ) : (
        <span className="muted">None</span>
      )}
      <AccountPicker
        label={value ? `Change ${label.toLowerCase()}` : `Find ${label.toLowerCase()}`}
        exclude={[...(exclude ?? []), ...(value ? [value] : [])]}
        onPick={(a) => onChange(a.id)}
      />
      {error && <small className="field-error">{error}</small>}
    </div>
  );
}
