/** Placeholder: being built. */
export function SystemsPage() {
  return <p className="empty">SystemsPage is being built.</p>;
}
