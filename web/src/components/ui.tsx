import { useId, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import type { ApiError } from '../api/client';

/** A labelled input; `error` (from the server's field details) is shown under it and announced. */
export function Field({ label, error, hint, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined} {...input} />
      {hint && !error && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export function TextArea({ label, error, ...input }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; error?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} {...input} />
      {error && <small className="field-error">{error}</small>}
    </div>
  );
}

export function Select({
  label,
  options,
  ...select
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; options: readonly (string | [string, string])[] }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {options.map((o) => {
          const [value, text] = Array.isArray(o) ? o : [o, o];
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/** The server's refusal, next to the form it belongs to. */
export function ErrorNote({ error }: { error?: ApiError | string }) {
  if (!error) return null;
  return (
    <p role="alert" className="error-note">
      {typeof error === 'string' ? error : error.message}
    </p>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'info' | 'warn' | 'danger' | 'ok'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export const tierTone = (tier: string) => (tier === 'critical' ? 'danger' : tier === 'privileged' ? 'warn' : 'neutral');

/** A section of a page with a heading. */
export function Panel({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="panel">
      <header className="panel-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** Screens that load: the error, a spinner the first time, an empty state, or the content. */
export function LoadState<T>({
  loaded,
  empty,
  children,
}: {
  loaded: { data?: T; error?: ApiError; loading: boolean };
  empty?: (data: T) => ReactNode | false;
  children: (data: T) => ReactNode;
}) {
  if (loaded.error && loaded.data === undefined) return <ErrorNote error={loaded.error} />;
  if (loaded.data === undefined) return <Loading />;
  const emptyNote = empty?.(loaded.data);
  return (
    <>
      {loaded.error && <ErrorNote error={loaded.error} />}
      {emptyNote ? <Empty>{emptyNote}</Empty> : children(loaded.data)}
    </>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "12 min", "3 h 5 min", "2 d": how long ago or how long until. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}
