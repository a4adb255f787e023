import type { Schemas } from '../../api/client';

export type CampaignResult = Schemas['CampaignResultDto'];
type StepOutcome = Schemas['StepOutcomeDto'];

/** Proofing steps in the policy's order: system-verified first, then the attested ones. */
const PROOFING_STEPS = ['registered_channel_otp', 'directory_facts', 'manager_attestation', 'government_id', 'video_call'];
/** An agent stopping the call on judgement (flag as suspicious, or deny), whatever step they were at. */
const AGENT_CALLS = ['flag', 'deny'];

const STEP_LABELS: Record<string, string> = {
  registered_channel_otp: 'Registered-channel code',
  directory_facts: 'Directory facts',
  manager_attestation: 'Manager attestation',
  government_id: 'Government ID check',
  video_call: 'Video call',
  flag: 'Flagged by the agent',
  deny: 'Denied by the agent',
  agent: 'Agent flagged or denied',
  approval: 'Approval',
};

export const stepLabel = (step: string | null | undefined): string => (step ? (STEP_LABELS[step] ?? step.replace(/_/g, ' ')) : '—');

export interface FunnelStage {
  key: string;
  label: string;
  /** Drills not decided at an earlier stage. */
  reached: number;
  /** Stopped here: the drill passed. */
  stopped: number;
  /** The impostor got through here: the drill failed. */
  gotThrough: number;
}

export interface Funnel {
  /** Drills with a decisive outcome: the funnel's population. */
  scored: number;
  stages: FunnelStage[];
  gotThrough: number;
  inconclusive: number;
  undecided: number;
}

/** Several campaigns' results as one (the report for "all campaigns"). */
export function combine(campaigns: CampaignResult[]): Pick<CampaignResult, 'passed' | 'failed' | 'inconclusive' | 'undecided' | 'byStep'> {
  const byStep: Record<string, StepOutcome> = {};
  for (const c of campaigns) {
    for (const [step, { passed, failed }] of Object.entries(c.byStep)) {
      byStep[step] = { passed: (byStep[step]?.passed ?? 0) + passed, failed: (byStep[step]?.failed ?? 0) + failed };
    }
  }
  const sum = (key: 'passed' | 'failed' | 'inconclusive' | 'undecided') => campaigns.reduce((total, c) => total + c[key], 0);
  return { passed: sum('passed'), failed: sum('failed'), inconclusive: sum('inconclusive'), undecided: sum('undecided'), byStep };
}

/**
 * The report's `byStep` (where each drill was decided) as a funnel: proofing steps in policy order,
 * then the agent's own call, then approval. A drill counts as reaching a stage when no earlier stage
 * decided it; the report does not say which steps a drill went through before its decisive one.
 */
export function funnelOf(result: Pick<CampaignResult, 'passed' | 'failed' | 'inconclusive' | 'undecided' | 'byStep'>): Funnel {
  const outcome = (steps: string[]) =>
    steps.reduce((total, step) => ({ passed: total.passed + (result.byStep[step]?.passed ?? 0), failed: total.failed + (result.byStep[step]?.failed ?? 0) }), {
      passed: 0,
      failed: 0,
    });
  const unknown = Object.keys(result.byStep).filter((step) => !PROOFING_STEPS.includes(step) && !AGENT_CALLS.includes(step) && step !== 'approval');
  const groups: [string, string[]][] = [
    ...[...PROOFING_STEPS, ...unknown].filter((step) => result.byStep[step]).map((step): [string, string[]] => [step, [step]]),
    ...(AGENT_CALLS.some((step) => result.byStep[step]) ? [['agent', AGENT_CALLS] as [string, string[]]] : []),
    ['approval', ['approval']],
  ];
  const scored = result.passed + result.failed;
  let reached = scored;
  const stages = groups.map(([key, steps]) => {
    const { passed, failed } = outcome(steps);
    const stage = { key, label: stepLabel(key), reached, stopped: passed, gotThrough: failed };
    reached -= passed + failed;
    return stage;
  });
  return { scored, stages, gotThrough: result.failed, inconclusive: result.inconclusive, undecided: result.undecided };
}

/** The chart's summary for screen readers: every number the bars show. */
export function describeFunnel(funnel: Funnel, scope: string): string {
  const stages = funnel.stages.map((s) => `${s.label}: reached ${s.reached}, stopped ${s.stopped}, got through ${s.gotThrough}.`);
  return [`Funnel for ${scope}: ${funnel.scored} drills scored.`, ...stages, `Got through in all: ${funnel.gotThrough} of ${funnel.scored}.`].join(' ');
}

/** Passed among decided drills, as a percentage; "—" when none was decided. */
export function passRate(passed: number, failed: number): string {
  return passed + failed ? `${Math.round((passed / (passed + failed)) * 100)}%` : '—';
}
