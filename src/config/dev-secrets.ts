import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DEV_SECRETS_FILE = '.dev-secrets.json';

interface DevSecrets {
  CODE_PEPPER: string;
  DELIVERY_KEY: string;
}

/**
 * Outside production, fills in missing secrets with throwaway values kept in a
 * git-ignored file, so a laptop start needs no set-up and codes issued today
 * still verify after a restart. Production has no defaults: the env validation
 * then stops the process naming the missing setting.
 *
 * Returns a one-line notice to print, or undefined when nothing was filled in.
 */
export function fillDevelopmentSecrets(env: NodeJS.ProcessEnv, cwd = process.cwd()): string | undefined {
  if (env.NODE_ENV === 'production') return undefined;
  const missing = (['CODE_PEPPER', 'DELIVERY_KEY'] as const).filter((key) => !env[key]);
  if (missing.length === 0) return undefined;

  const file = resolve(cwd, DEV_SECRETS_FILE);
  let secrets: DevSecrets;
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } else {
    secrets = {
      CODE_PEPPER: randomBytes(32).toString('base64url'),
      DELIVERY_KEY: randomBytes(32).toString('base64'),
    };
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  }
  for (const key of missing) env[key] = secrets[key];
  return `Development mode: using throwaway ${missing.join(' and ')} from ${file}; set them for any real deployment (NODE_ENV=production requires them).`;
}
