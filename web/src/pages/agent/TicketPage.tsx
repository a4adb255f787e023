/** Placeholder: being built. */
export function TicketPage() {
  return <p className="empty">TicketPage is being built.</p>;
}
