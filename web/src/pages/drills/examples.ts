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
      pretext: 'Impostor without the registered phone reads back a made-up OTP under time pressure.',
      claims: {
        callerName: 'the account holder',
        newPhone: true,
        urgency: 'high',
        notes: "I got a new phone and the authenticator is gone. I'm about to board a flight, can we be quick?",
      },
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
      pretext: 'Impostor claims the phone was stolen and pushes for the code to go to a number they control.',
      claims: {
        callbackPhone: '+44 7700 900999',
        newPhone: true,
        urgency: 'normal',
        notes: 'My phone was stolen last night. Please send the code to my new number, +44 7700 900999, the old one is gone.',
      },
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
      pretext: 'Impostor asks the agent to skip the manager attestation because the manager is unreachable.',
      claims: { notes: "I lost my phone on the train. My manager is on a plane all day, so she can't confirm anything today." },
      answers: { manager_attestation: { manager: 'unavailable', excuse: 'she is on a plane all day' } },
    },
  },
];
