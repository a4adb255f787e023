/** Placeholder: being built. */
export function StaffPage() {
  return <p className="empty">StaffPage is being built.</p>;
}
