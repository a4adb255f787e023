/** Placeholder: being built. */
export function QueuePage() {
  return <p className="empty">QueuePage is being built.</p>;
}
