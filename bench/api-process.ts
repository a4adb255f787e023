import { randomBytes } from 'node:crypto';
import { freePort, ServiceProcess, startService, waitUntilReady } from './load-processes';
import { serviceEnv } from './load-setup';

/**
 * An API process as deployed (`node dist/src/main.js --role api`) on this run's database and Redis prefix, with the
 * secrets and witness of the app in this process (startBenchApp put them in its environment), so tokens issued and
 * codes hashed here work there and its audit events join the same log (the sequencer and the checkpoints stay in
 * this process's app when it has the worker role).
 */
export async function startApiProcess(name: string): Promise<{ service: ServiceProcess; baseUrl: string }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const own = process.env;
  const backends = { databaseUrl: own.DATABASE_URL!, redisUrl: own.REDIS_URL!, redisPrefix: own.REDIS_PREFIX! };
  const env = {
    ...serviceEnv(backends, port, own.NOTIFY_FILE!, `rds_bench_admin_${randomBytes(24).toString('hex')}`),
    CODE_PEPPER: own.CODE_PEPPER,
    DELIVERY_KEY: own.DELIVERY_KEY,
    GRANT_SIGNING_KEY: own.GRANT_SIGNING_KEY,
    AUDIT_CHECKPOINT_KEY: own.AUDIT_CHECKPOINT_KEY,
    AUDIT_WITNESS_DIR: own.AUDIT_WITNESS_DIR,
  };
  const service = startService(name, 'api', env);
  await waitUntilReady(service, baseUrl);
  return { service, baseUrl };
}
