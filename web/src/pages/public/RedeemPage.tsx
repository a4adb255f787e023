/** Placeholder: being built. */
export function RedeemPage() {
  return <p className="empty">RedeemPage is being built.</p>;
}
