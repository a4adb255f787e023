import { generateSignerKey } from '../common/note-keys';
import { randomBytes } from 'node:crypto';
import { ConfigError, validateEnv } from './env.validation';

const secrets = {
  CODE_PEPPER: 'p'.repeat(32),
  DELIVERY_KEY: randomBytes(32).toString('base64'),
  GRANT_SIGNING_KEY: randomBytes(32).toString('hex'),
  AUDIT_CHECKPOINT_KEY: generateSignerKey('desk.test/audit'),
};

describe('validateEnv', () => {
  it('applies the documented defaults', () => {
    const env = validateEnv({ ...secrets });
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      ROLE: 'all',
      PORT: 3000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/recovery_desk',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'info',
    });
  });

  it('converts numbers and accepts a hex delivery key', () => {
    expect(validateEnv({ ...secrets, PORT: '8080', DELIVERY_KEY: 'ab'.repeat(32) }).PORT).toBe(8080);
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ DATABASE_URL: 'postgres://host' }, 'DATABASE_URL'],
    [{ CODE_PEPPER: 'short' }, 'CODE_PEPPER'],
    [{ ROLE: 'both' }, 'ROLE'],
    [{ BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES'],
  ])('stops on %j with one line naming %s', (override, name) => {
    let error: unknown;
    try {
      validateEnv({ ...secrets, ...override });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`Configuration error: ${name} `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('never echoes a secret it refuses', () => {
    expect(() => validateEnv({ ...secrets, CODE_PEPPER: 'tiny-secret' })).toThrow(/value hidden/);
    expect(() => validateEnv({ ...secrets, CODE_PEPPER: 'tiny-secret' })).not.toThrow(/tiny-secret/);
  });

  it('needs SMTP_URL for the smtp adapter, and never echoes its password', () => {
    expect(() => validateEnv({ ...secrets, NOTIFY_ADAPTER: 'smtp' })).toThrow(/^Configuration error: NOTIFY_ADAPTER=smtp needs SMTP_URL/);
    expect(validateEnv({ ...secrets, NOTIFY_ADAPTER: 'smtp', SMTP_URL: 'smtps://desk:s3cret-pass@mail.example.com:465' })).toMatchObject({
      SMTP_URL: 'smtps://desk:s3cret-pass@mail.example.com:465',
      SMTP_FROM: 'Recovery desk <recovery-desk@localhost>',
    });
    const bad = () => validateEnv({ ...secrets, NOTIFY_ADAPTER: 'smtp', SMTP_URL: 'http://desk:s3cret-pass@mail.example.com' });
    expect(bad).toThrow(/^Configuration error: SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL.*desk:\*\*\*@mail/);
    expect(bad).not.toThrow(/s3cret-pass/);
    expect(() => validateEnv({ ...secrets, NOTIFY_ADAPTER: 'smtp', SMTP_URL: 'smtp://desk:pw@[mail]:25' })).toThrow(
      /^Configuration error: SMTP_URL is not a URL .*desk:\*\*\*@/,
    );
    expect(() => validateEnv({ ...secrets, SMTP_FROM: 'not an address' })).toThrow(/^Configuration error: SMTP_FROM /);
  });

  it.each(['development', 'production'])("holds argon2id to OWASP's floor under NODE_ENV=%s (only the test suite may hash cheaper)", (mode) => {
    expect(() => validateEnv({ ...secrets, NODE_ENV: mode, ARGON2_MEMORY_KIB: '19455' })).toThrow(
      /^Configuration error: ARGON2_MEMORY_KIB must be at least 19456 KiB .*\(got "19455"\)$/,
    );
    expect(() => validateEnv({ ...secrets, NODE_ENV: mode, ARGON2_TIME_COST: '1' })).toThrow(
      /^Configuration error: ARGON2_TIME_COST must be at least 2 .*\(got "1"\)$/,
    );
    expect(validateEnv({ ...secrets, NODE_ENV: mode, ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' })).toMatchObject({
      ARGON2_MEMORY_KIB: 19_456,
      ARGON2_TIME_COST: 2,
    });
  });

  it('lets NODE_ENV=test lower argon2id to m=1 MiB, t=1, and no further', () => {
    expect(validateEnv({ ...secrets, NODE_ENV: 'test', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' })).toMatchObject({
      ARGON2_MEMORY_KIB: 1_024,
      ARGON2_TIME_COST: 1,
    });
    expect(() => validateEnv({ ...secrets, NODE_ENV: 'test', ARGON2_MEMORY_KIB: '1023' })).toThrow(/^Configuration error: ARGON2_MEMORY_KIB /);
    expect(() => validateEnv({ ...secrets, NODE_ENV: 'test', ARGON2_TIME_COST: '0' })).toThrow(/^Configuration error: ARGON2_TIME_COST /);
    expect(validateEnv({ ...secrets, NODE_ENV: 'test' })).toMatchObject({ ARGON2_MEMORY_KIB: 19_456, ARGON2_TIME_COST: 2 }); // the defaults stay
  });

  it('requires the secrets when none are given', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(
      /^Configuration error: (CODE_PEPPER|DELIVERY_KEY|GRANT_SIGNING_KEY|AUDIT_CHECKPOINT_KEY) .*it is not set/,
    );
  });
});
