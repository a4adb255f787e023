/** A few scenarios from drills/ (the console only calls /v1, so they are copied here), to start from. */
export const EXAMPLE_SCENARIOS: { id: string; title: string; scenario: Record<string, unknown> }[] = [
  {
    id: 'wrong-otp-readback',
    title: 'Wrong OTP read-back (standard tier)',
    scenario: {
      name: 'Wrong OTP read-back',
      campaign: '2026-Q4 desk',
      target: { tier: 'standard' },
      channel: 'phone',
      reason: 'new_phone',
      pretext: 'I got a new phone and the authenticator is gone; I am about to board a flight.',
      claims: { callerName: 'the account holder', newPhone: true, urgency: 'high' },
      answers: { registered_channel_otp: { says: '482913', excuse: 'I think that was the code… the text was cut off' } },
    },
  },
  {
    id: 'callback-number',
    title: 'Caller-supplied callback number (standard tier)',
    scenario: {
      name: 'Caller-supplied callback number',
      campaign: '2026-Q4 desk',
      target: { tier: 'standard' },
      channel: 'phone',
      reason: 'lost_device',
      pretext: 'My phone was stolen; send the code to my new number instead.',
      claims: { callbackPhone: '+44 7700 900999', newPhone: true, urgency: 'normal' },
      answers: { registered_channel_otp: { says: '000000', excuse: 'send it to this number, the old one is gone' } },
    },
  },
  {
    id: 'manager-unavailable',
    title: 'Manager unavailable (privileged tier)',
    scenario: {
      name: 'Manager unavailable',
      campaign: '2026-Q4 desk',
      target: { tier: 'privileged' },
      channel: 'phone',
      reason: 'lost_device',
      pretext: 'My manager is on leave, please skip that step.',
      answers: { manager_attestation: { manager: 'unavailable', excuse: 'she is on a plane all day' } },
    },
  },
];
