import { sanitizeUrl } from './sanitize';

describe('sanitizeUrl', () => {
  it.each([
    ['/v1/accounts?q=jane', '/v1/accounts?q=jane'],
    ['/r/rdd_abcdef123', '/r/[redacted]'],
    ['/c/xyz/extra', '/c/[redacted]/extra'],
    ['/n/rdn_abc', '/n/[redacted]'],
    ['/v1/x?token=abc&limit=2', '/v1/x?token=%5Bredacted%5D&limit=2'],
    ['/v1/x?CODE=1', '/v1/x?CODE=%5Bredacted%5D'],
    [undefined, ''],
  ])('%s → %s', (url, expected) => {
    expect(sanitizeUrl(url)).toBe(expected);
  });
});
