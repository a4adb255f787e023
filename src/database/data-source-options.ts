import type { DataSourceOptions } from 'typeorm';
import { ENTITIES, MIGRATIONS } from './schema';

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: 20,
      connectionTimeoutMillis: 5_000,
      // A request that waits on a lock longer than this fails (503) rather than piling up.
      options: '-c lock_timeout=10000 -c statement_timeout=30000',
    },
  };
}
