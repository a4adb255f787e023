import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SERVICE_RUNTIME } from '../src/config/runtime';

/**
 * Bare argon2 verifies timed in a process of their own started as the service is (SERVICE_RUNTIME's malloc settings
 * and Node flags): the unit for figures measured against an API process, whose hashes pay what those settings cost
 * (a fresh mapping per hash, see docs/operations.md#memory), which a verify in the bench's own process does not.
 *
 * Run as a script, this file is that process: its first line on stdin is the hash, the secret and the pepper (JSON);
 * each further line asks for one verify, answered with its milliseconds.
 */
export interface RuntimeVerifier {
  /** One bare verify in that process, in ms as that process timed it. */
  verify(): Promise<number>;
  close(): Promise<void>;
}

export function startRuntimeVerifier(hash: string, secret: string, pepper: Buffer): RuntimeVerifier {
  const child = spawn(process.execPath, [...SERVICE_RUNTIME.nodeFlags, __filename], {
    env: { PATH: process.env.PATH, ...SERVICE_RUNTIME.env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = createInterface({ input: child.stdout! });
  const waiting: { answer: (line: string) => void; fail: (error: Error) => void }[] = [];
  answers.on('line', (line) => waiting.shift()?.answer(line));
  // A verifier that dies fails what waits on it, rather than leaving the bench waiting for ever.
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const { fail } of waiting.splice(0)) fail(new Error(`the runtime verifier exited (${signal ?? code})`));
      resolve();
    }),
  );
  child.stdin!.write(`${JSON.stringify({ hash, secret, pepper: pepper.toString('base64') })}\n`);
  return {
    verify: () =>
      new Promise<number>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('the runtime verifier is not running'));
        const answer = (line: string) => (line.startsWith('ms ') ? resolve(Number(line.slice(3))) : reject(new Error(`runtime verifier: ${line}`)));
        waiting.push({ answer, fail: reject });
        child.stdin!.write('verify\n');
      }),
    close: () => {
      child.stdin!.end();
      return exited;
    },
  };
}

async function serve(): Promise<void> {
  const argon2 = await import('argon2');
  const lines = createInterface({ input: process.stdin });
  let given: { hash: string; secret: string; pepper: Buffer } | undefined;
  for await (const line of lines) {
    if (!given) {
      const parsed = JSON.parse(line) as { hash: string; secret: string; pepper: string };
      given = { ...parsed, pepper: Buffer.from(parsed.pepper, 'base64') };
      continue;
    }
    const started = process.hrtime.bigint();
    const ok = await argon2.verify(given.hash, given.secret, { secret: given.pepper });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(ok ? `ms ${ms}\n` : 'the hash did not verify\n');
  }
}

if (require.main === module) void serve();
