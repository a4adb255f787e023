/** Placeholder: being built. */
export function AuditPage() {
  return <p className="empty">AuditPage is being built.</p>;
}
