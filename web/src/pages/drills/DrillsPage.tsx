/** Placeholder: being built. */
export function DrillsPage() {
  return <p className="empty">DrillsPage is being built.</p>;
}
