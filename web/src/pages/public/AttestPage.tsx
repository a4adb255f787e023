/** Placeholder: being built. */
export function AttestPage() {
  return <p className="empty">AttestPage is being built.</p>;
}
