/** `jane.doe@example.com` → `j***@example.com`: enough to confirm with a caller, not to contact them. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `+447700900234` → `*** *** **34`. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `*** *** **${digits.slice(-2)}`;
}
