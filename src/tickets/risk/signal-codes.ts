// The signal codes and the shape of a raised signal: a leaf both risk-signals.ts and history-signals.ts import.

export const RISK_SIGNALS = [
  'channel_recently_changed',
  'reset_velocity',
  'callback_not_on_file',
  'manager_not_independent',
  'subject_reported_not_me',
  'tier_recently_lowered',
  'manager_recently_changed',
  'approver_recently_privileged',
  'changed_since_approval',
] as const;
export type RiskSignalCode = (typeof RISK_SIGNALS)[number];

export interface RaisedSignal {
  signal: RiskSignalCode;
  /** Shown to the agent and approver and written to the audit trail: facts only, never a secret or a registered channel. */
  reason: string;
  /** The ticket may not be claimed or approved until an admin clears it. */
  holds: boolean;
  /** What the signal rests on: raised again on the same basis it is the same signal; on a new basis it is raised afresh. */
  basis: string;
  detail: Record<string, string | number | string[]>;
}
