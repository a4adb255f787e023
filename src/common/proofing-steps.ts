/**
 * The identity checks a ticket can require: the vocabulary the policy file (config/policy.ts) and the tickets'
 * proofing (tickets/proofing/) share. What each step means lives in tickets/proofing/step-catalogue.ts.
 */
export const PROOFING_STEPS = ['registered_channel_otp', 'manager_attestation', 'directory_facts', 'government_id', 'video_call'] as const;
export type ProofingStep = (typeof PROOFING_STEPS)[number];
