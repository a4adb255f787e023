import { readFile } from 'node:fs/promises';
import { createServer, IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { NoteVerifier, openCheckpoint } from './checkpoint-note';
import { CompactRange } from './merkle';
import { DirectoryWitness, WitnessBatch } from './witness';

const MAX_BODY = 16 * 1024 * 1024;

/**
 * A witness on its own machine: keeps a directory as DirectoryWitness does and
 * accepts a batch only if its checkpoint is signed by the log's key, it starts
 * exactly where the stored leaves end, and the stored leaves plus the new ones
 * reproduce the signed root. So what it holds is always one consistent history.
 */
export async function startHttpWitness(dir: string, verifier: NoteVerifier, port: number, host = '0.0.0.0'): Promise<Server> {
  const store = new DirectoryWitness(dir);
  const range = new CompactRange();
  for (const leaf of (await store.read()).leaves) range.append(leaf);
  let queue = Promise.resolve();

  const accept = async (batch: WitnessBatch): Promise<[number, string]> => {
    if (!batch || typeof batch.checkpoint !== 'string' || !Array.isArray(batch.leaves) || !Number.isInteger(batch.from))
      return [400, 'expected {from, leaves, checkpoint}'];
    const opened = openCheckpoint(batch.checkpoint, verifier);
    if (!opened.ok) return [403, opened.reason];
    if (batch.from !== range.size) return [409, `the witness holds ${range.size} leaves; this batch starts at ${batch.from}`];
    if (!batch.leaves.every((leaf) => /^[0-9a-f]{64}$/.test(leaf))) return [400, 'leaves are 64 hex digits each'];
    const next = new CompactRange(range.size, [...range.hashes]);
    for (const leaf of batch.leaves) next.append(Buffer.from(leaf, 'hex'));
    if (opened.head.size !== next.size || !opened.head.root.equals(next.root()))
      return [409, 'the checkpoint does not match the witnessed leaves plus this batch'];
    await store.publish(batch);
    range.size = next.size;
    range.hashes.splice(0, range.hashes.length, ...next.hashes);
    return [200, JSON.stringify({ size: range.size })];
  };

  const server = createServer((req, res) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const path = new URL(req.url ?? '/', 'http://witness').pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/size') return reply(200, JSON.stringify({ size: range.size }), 'application/json');
    if (req.method === 'GET' && (path === '/checkpoints' || path === '/leaves')) {
      void readFile(join(dir, path.slice(1)), 'utf8')
        .catch(() => '')
        .then((text) => reply(200, text));
      return;
    }
    if (req.method === 'POST' && path === '/add') {
      void readBody(req)
        .then((body) => {
          const run = queue.then(() => accept(JSON.parse(body) as WitnessBatch));
          queue = run.then(() => undefined).catch(() => undefined);
          return run;
        })
        .then(([status, text]) => reply(status, text))
        .catch((error: Error) => reply(400, error.message));
      return;
    }
    reply(404, 'GET /size, /checkpoints, /leaves; POST /add');
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
