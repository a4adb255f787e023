import type { ReactNode } from 'react';
import type { ApiError } from '../../api/client';

/** The frame of every page reached from a message: no navigation, no staff session. */
export function PublicLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="public-page">
      <p className="muted">Recovery desk · IT security</p>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

/**
 * One page for a link that cannot be used, whatever the reason (used, expired, never existed):
 * the holder of a guessed or stolen link learns nothing about which.
 */
export function LinkNotUsable({ error }: { error: ApiError }) {
  if (error.code === 'rate_limit_exceeded') {
    return (
      <PublicLayout title="Too many attempts">
        <p role="alert">{error.message}</p>
      </PublicLayout>
    );
  }
  if (error.code !== 'not_found' && error.code !== 'gone') {
    return (
      <PublicLayout title="Something went wrong">
        <p role="alert">{error.message}</p>
        <p>Please try again in a few minutes. If it keeps happening, call the help desk.</p>
      </PublicLayout>
    );
  }
  return (
    <PublicLayout title="This link can no longer be used">
      <p role="alert">It has been used already or has expired. Links in our messages work once and for a limited time.</p>
      <p>If you did not use it yourself, or you still need help, call the help desk on the number in your company directory — not a number from a message.</p>
    </PublicLayout>
  );
}
