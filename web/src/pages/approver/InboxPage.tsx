/** Placeholder: being built. */
export function InboxPage() {
  return <p className="empty">InboxPage is being built.</p>;
}
