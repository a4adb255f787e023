/** Path prefixes whose next segment is a bearer secret (delivery, cancel and attestation links). */
const TOKEN_PATHS = /^(\/(?:r|c|a|n)\/)[^/?#]+/;
const SECRET_PARAM = /^(token|code|otp|secret|key|grant)$/i;

/** A URL as it may be logged: link tokens in the path and secret-looking query values replaced. */
export function sanitizeUrl(url: string | undefined): string {
  if (!url) return '';
  const [path, query] = url.split('?', 2);
  const safePath = path.replace(TOKEN_PATHS, '$1[redacted]');
  if (query === undefined) return safePath;
  const params = new URLSearchParams(query);
  for (const name of [...params.keys()]) if (SECRET_PARAM.test(name)) params.set(name, '[redacted]');
  return `${safePath}?${params.toString()}`;
}
