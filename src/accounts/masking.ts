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

/**
 * The account facts the directory_facts proofing step asks a caller for: its secret. The audit trail (read by every
 * auditor) says only that one changed, never its value, before or after; a staff response shows them to admins only.
 */
export const PROOFING_FACTS = ['employeeNumber', 'costCentre'] as const;

export const isProofingFact = (key: string): boolean => (PROOFING_FACTS as readonly string[]).includes(key);
