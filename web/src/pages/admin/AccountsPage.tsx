/** Placeholder: being built. */
export function AccountsPage() {
  return <p className="empty">AccountsPage is being built.</p>;
}
