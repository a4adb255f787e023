/** How the caller of one request authenticated: a console session through the provider, or a staff token. */
export interface Authentication {
  method: 'oidc' | 'staff_token';
  /** When the person last authenticated at the provider (on this service's clock); null for tokens. */
  authenticatedAt: Date | null;
  amr: string[];
  acr: string | null;
}

export interface StepUpPolicy {
  oidcEnabled: boolean;
  maxAgeSeconds: number;
  /** Any one of these amr values meets the requirement… */
  amr: string[];
  /** …or any one of these acr values; both empty: freshness alone. */
  acr: string[];
}

/** Why this authentication may not do a step-up act now, or undefined when it may. */
export function stepUpRefusal(auth: Authentication, policy: StepUpPolicy, now: Date): string | undefined {
  if (auth.method === 'staff_token') {
    // Without a provider there is nothing to step up to: tokens keep today's rights.
    return policy.oidcEnabled ? 'staff tokens cannot do this while sign-in through the identity provider is configured; sign in to the console' : undefined;
  }
  const ageSeconds = Math.floor((now.getTime() - (auth.authenticatedAt?.getTime() ?? 0)) / 1000);
  if (ageSeconds > policy.maxAgeSeconds) {
    return `your sign-in is ${Math.floor(ageSeconds / 60)} min old; this act needs one within the last ${Math.ceil(policy.maxAgeSeconds / 60)} min`;
  }
  if (policy.amr.length === 0 && policy.acr.length === 0) return undefined;
  if (auth.amr.some((method) => policy.amr.includes(method)) || (auth.acr !== null && policy.acr.includes(auth.acr))) return undefined;
  const wanted = [policy.amr.length ? `a method among ${policy.amr.join(', ')}` : '', policy.acr.length ? `acr ${policy.acr.join(' or ')}` : '']
    .filter(Boolean)
    .join(' or ');
  return `this act needs a sign-in with ${wanted}; yours used ${auth.amr.join(', ') || 'no stated method'}${auth.acr ? ` (acr ${auth.acr})` : ''}`;
}

/** How an approval or other step-up act records its actor's sign-in: method and time, no secret. */
export function authenticationRecord(auth: Authentication | undefined) {
  if (!auth) return undefined;
  return { method: auth.method, amr: auth.amr, acr: auth.acr, authenticatedAt: auth.authenticatedAt?.toISOString() ?? null };
}
