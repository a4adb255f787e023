import { Agent, request } from 'node:http';

/**
 * The bench's client: node:http over keep-alive connections, not fetch. It shares the 2 cores with the API and
 * PostgreSQL, as pgbench's own client does with PostgreSQL, so it should cost as little: in an A/B of the tickets
 * bench (docs/benchmarks.md) fetch took 3.0-4.0 CPU-seconds of a run, node:http 1.6-2.0.
 */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** A JSON POST over real HTTP, to the API at `baseUrl` (this process's or another's). */
export function postTo<T>(baseUrl: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
