import { BlockList, isIP } from 'node:net';

/**
 * What a service token may call: each service route names one scope (@ServiceScope), and a service member's
 * token carries the scopes it was issued with (staff_tokens.scopes). The login application needs enrol and
 * verify; a security tool that reports leaks needs exposure only; a critical system's gate needs unlock.
 */
export const SERVICE_SCOPES = ['enrol', 'verify', 'exposure', 'unlock'] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

export const SERVICE_SCOPE_ROUTES: Record<ServiceScope, string> = {
  enrol: 'first enrolment (POST /v1/accounts/:id/code-sets) and custody acknowledgement',
  verify: 'backup-code verification and reading the active set',
  exposure: 'reporting codes exposed (POST /v1/accounts/:id/code-sets/current/exposure)',
  unlock: 'dual-code unlock: opening sessions, presenting codes, reading sessions and systems, introspecting grants',
};

/** Scopes whose calls are counted per token per hour, alerting security above policy (serviceTokens). */
export const WATCHED_SCOPES = ['enrol', 'exposure'] as const satisfies readonly ServiceScope[];

/** "10.0.0.0/8", "2001:db8::/32" or a single address; undefined when it is not one. */
export function parseCidr(value: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [network, bits, extra] = value.trim().split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(network);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The client address as one spelling: an IPv4 address seen through an IPv6 socket ("::ffff:10.1.2.3") as IPv4. */
export function normaliseAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** Whether the address is inside one of the allowed networks; no list (null) allows any address. */
export function addressAllowed(address: string, cidrs: readonly string[] | null): boolean {
  if (cidrs === null) return true;
  const ip = normaliseAddress(address);
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed) list.addSubnet(parsed.network, parsed.prefix, parsed.family);
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}
