import type { Pool, PoolClient } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs `UPDATE … RETURNING` (or a CTE ending in one) and gives back the rows.
 * TypeORM's postgres driver answers UPDATE and DELETE with [rows, count].
 */
export async function updateReturning<Row>(em: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  const result = (await em.query(sql, params)) as [Row[], number] | Row[];
  return Array.isArray(result[0]) ? (result[0] as Row[]) : (result as Row[]);
}

/** A piece of SQL with its parameters, for a service to contribute to a statement another service composes. */
export interface SqlPart {
  sql: string;
  params: unknown[];
}

/**
 * `$n::type, …` for values bound after `before` of a statement's own placeholders, one per type: the SELECT list of
 * an `INSERT … SELECT … WHERE` that is one member of a larger statement (the casts tell PostgreSQL each value's type,
 * which a SELECT list, unlike a VALUES list for a known column, cannot infer).
 */
export function castPlaceholders(types: readonly string[], before: number): string {
  return types.map((type, i) => `$${before + i + 1}::${type}`).join(', ');
}

/** The name each prepared statement's text was given, in the order first run (one per text: the texts are constants). */
const statementNames = new Map<string, string>();

/**
 * Runs a statement of a hot path as a named prepared statement: PostgreSQL parses it once per connection and, once
 * its plan proves generic, stops planning it (TypeORM's query() sends every statement unnamed, parsed and planned
 * each time; on the verify path that was half of each statement's time in the server). Inside `em`'s transaction
 * when it has one, straight on the pool otherwise. Errors come back as TypeORM's QueryFailedError, as from em.query,
 * so the HTTP layer maps them alike. Only for constant texts: each distinct text is prepared on every connection.
 */
export async function preparedQuery<Row>(em: EntityManager, text: string, values: unknown[]): Promise<Row[]> {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `rd_${statementNames.size + 1}`));
  const on: Pick<Pool, 'query'> = em.queryRunner ? ((await em.queryRunner.connect()) as PoolClient) : (em.connection.driver as PostgresDriver).master;
  try {
    return (await on.query<Row & object>({ name, text, values })).rows;
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
