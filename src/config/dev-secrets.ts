import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateSignerKey } from '../common/note-keys';

const DEV_SECRETS_FILE = '.dev-secrets.json';

type SecretName = 'CODE_PEPPER' | 'DELIVERY_KEY' | 'GRANT_SIGNING_KEY' | 'AUDIT_CHECKPOINT_KEY';
type DevSecrets = Record<SecretName, string>;

const GENERATE: Record<SecretName, () => string> = {
  CODE_PEPPER: () => randomBytes(32).toString('base64url'),
  DELIVERY_KEY: () => randomBytes(32).toString('base64'),
  GRANT_SIGNING_KEY: () => randomBytes(32).toString('base64'),
  AUDIT_CHECKPOINT_KEY: () => generateSignerKey('recovery-desk.localhost/audit'),
};

/**
 * Outside production, fills in missing secrets (pepper, delivery key, grant and checkpoint signing keys) with throwaway values kept in a
 * git-ignored file, so a laptop start needs no set-up and codes issued today
 * still verify after a restart. Production has no defaults: the env validation
 * then stops the process naming the missing setting.
 *
 * Returns a one-line notice to print, or undefined when nothing was filled in.
 */
export function fillDevelopmentSecrets(env: NodeJS.ProcessEnv, cwd = process.cwd()): string | undefined {
  if (env.NODE_ENV === 'production') return undefined;
  const missing = (Object.keys(GENERATE) as SecretName[]).filter((key) => !env[key]);
  if (missing.length === 0) return undefined;

  const file = resolve(cwd, DEV_SECRETS_FILE);
  const stored: Partial<DevSecrets> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : {};
  const secrets = { ...stored } as DevSecrets;
  for (const key of Object.keys(GENERATE) as SecretName[]) secrets[key] ??= GENERATE[key]();
  if (Object.keys(secrets).length !== Object.keys(stored).length) writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  for (const key of missing) env[key] = secrets[key];
  const names = missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}` : missing[0];
  return `Development mode: using throwaway ${names} from ${file}; set them for any real deployment (NODE_ENV=production requires them).`;
}
