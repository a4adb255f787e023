import { addressAllowed, normaliseAddress, parseCidr } from './service-scopes';

describe('service token networks', () => {
  it('parses IPv4 and IPv6 networks and single addresses, refusing anything else', () => {
    expect(parseCidr('10.20.0.0/16')).toEqual({ network: '10.20.0.0', prefix: 16, family: 'ipv4' });
    expect(parseCidr('2001:db8::/32')).toEqual({ network: '2001:db8::', prefix: 32, family: 'ipv6' });
    expect(parseCidr('192.0.2.7')).toEqual({ network: '192.0.2.7', prefix: 32, family: 'ipv4' });
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'example.com/8', '10.0.0.0/8/1', '10.0.0.0/x', '', '::/129']) expect(parseCidr(bad)).toBeUndefined();
  });

  it('allows an address inside one of the networks, IPv4 seen through IPv6 included; no list allows any', () => {
    expect(addressAllowed('10.20.3.4', ['10.20.0.0/16'])).toBe(true);
    expect(addressAllowed('::ffff:10.20.3.4', ['10.20.0.0/16'])).toBe(true);
    expect(addressAllowed('10.21.0.1', ['10.20.0.0/16'])).toBe(false);
    expect(addressAllowed('2001:db8::1', ['10.20.0.0/16', '2001:db8::/32'])).toBe(true);
    expect(addressAllowed('not an address', ['0.0.0.0/0'])).toBe(false);
    expect(addressAllowed('192.0.2.7', null)).toBe(true);
    expect(addressAllowed('192.0.2.7', [])).toBe(false);
    expect(normaliseAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
  });
});
