import { useState, type ReactNode } from 'react';
import type { ApiError } from '../../api/client';
import { Badge, ErrorNote } from '../../components/ui';

/** A screen's title, one line on what it is for, and its main actions. */
export function PageHead({ title, intro, actions }: { title: string; intro: string; actions?: ReactNode }) {
  return (
    <header className="adm-page-head">
      <div>
        <h1>{title}</h1>
        <p className="muted">{intro}</p>
      </div>
      {actions && <div className="adm-actions">{actions}</div>}
    </header>
  );
}

/** "More" under a keyset-paged list, with the error of the last attempt. */
export function MoreButton({ list }: { list: { hasMore: boolean; more: { run: () => Promise<unknown>; busy: boolean; error?: ApiError } } }) {
  if (!list.hasMore && !list.more.error) return null;
  return (
    <div className="adm-more">
      <ErrorNote error={list.more.error} />
      {list.hasMore && (
        <button type="button" className="secondary" disabled={list.more.busy} onClick={() => void list.more.run()}>
          {list.more.busy ? 'Loading…' : 'More'}
        </button>
      )}
    </div>
  );
}

/** Loads a keyset-paged list's first page again (dropping the pages "More" added). */
export function RefreshButton({ list }: { list: { loaded: { loading: boolean }; reload: () => Promise<void> } }) {
  return (
    <button type="button" className="secondary" disabled={list.loaded.loading} onClick={() => void list.reload()}>
      Refresh
    </button>
  );
}

/** What the last action on a list did, above the list (its row may have left the list). */
export function ResultNotice({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <p role="status" className="notice adm-result">
      {text}
    </p>
  );
}

/** A destructive action that asks once, in place, saying what will happen. */
export function ConfirmButton({
  label,
  warning,
  busy,
  onConfirm,
}: {
  label: string;
  warning: string;
  busy?: boolean;
  onConfirm: () => void | Promise<unknown>;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="secondary adm-danger-outline" onClick={() => setAsking(true)}>
        {label}…
      </button>
    );
  }
  return (
    <span className="adm-confirm" role="group" aria-label={`Confirm: ${label}`}>
      <span className="adm-confirm-text">{warning}</span>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={async () => {
          await onConfirm();
          setAsking(false);
        }}
      >
        {label}
      </button>
      <button type="button" className="link-button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A labelled group of checkboxes (roles and the like). */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  value,
  onChange,
  disabled,
  error,
}: {
  legend: string;
  options: readonly T[];
  value: readonly T[];
  onChange(next: T[]): void;
  disabled?: (option: T) => boolean;
  error?: string;
}) {
  return (
    <fieldset className="adm-checks" aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option}>
          <input
            type="checkbox"
            checked={value.includes(option)}
            disabled={disabled?.(option)}
            onChange={(e) => onChange(e.target.checked ? options.filter((o) => o === option || value.includes(o)) : value.filter((v) => v !== option))}
          />
          {option.replace('_', ' ')}
        </label>
      ))}
      {error && <small className="field-error">{error}</small>}
    </fieldset>
  );
}

/**
 * A table of rows with its header row; it scrolls sideways inside its panel on narrow
 * screens, so the page itself never does. `actions` adds a last column for row buttons.
 */
export function DataTable({
  label,
  columns,
  actions,
  className,
  children,
}: {
  label: string;
  columns: string[];
  actions?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="adm-table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className={className}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column}>{column}</th>
            ))}
            {actions && (
              <th>
                <span className="adm-sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The end of a form: the server's refusal, then submit (busy while it runs) and cancel. */
export function FormFooter({
  error,
  busy,
  label,
  busyLabel,
  disabled,
  onCancel,
  cancelLabel = 'Cancel',
}: {
  error?: ApiError;
  busy: boolean;
  label: string;
  busyLabel: string;
  disabled?: boolean;
  onCancel(): void;
  cancelLabel?: string;
}) {
  return (
    <>
      <ErrorNote error={error} />
      <div className="adm-actions">
        <button type="submit" disabled={busy || disabled}>
          {busy ? busyLabel : label}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </>
  );
}

/** An empty cell, said quietly. */
export const None = () => <span className="muted">—</span>;

/** Active (green) or deactivated (red): staff and accounts alike. */
export const ActiveBadge = ({ active }: { active: boolean }) => (active ? <Badge tone="ok">active</Badge> : <Badge tone="danger">deactivated</Badge>);
