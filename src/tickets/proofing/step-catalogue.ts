import type { ProofingStep } from '../../common/proofing-steps';

/** The identity checks a ticket can require (their names are shared with the policy file, hence in common/). */
export { PROOFING_STEPS, type ProofingStep } from '../../common/proofing-steps';

/**
 * System-verified steps: the service checks them and the agent cannot just
 * tick them; a failure denies the ticket and raises a social-engineering alert.
 * The others are attested by the agent, with required evidence.
 */
export const SYSTEM_VERIFIED: readonly ProofingStep[] = ['registered_channel_otp', 'manager_attestation', 'directory_facts'];

export const STEP_STATUSES = ['pending', 'sent', 'passed', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export function isSystemVerified(step: ProofingStep): boolean {
  return SYSTEM_VERIFIED.includes(step);
}
