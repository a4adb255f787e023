/** Placeholder: being built. */
export function CancelPage() {
  return <p className="empty">CancelPage is being built.</p>;
}
