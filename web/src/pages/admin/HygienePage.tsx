/** Placeholder: being built. */
export function HygienePage() {
  return <p className="empty">HygienePage is being built.</p>;
}
