import type { EntityManager } from 'typeorm';

/**
 * Runs `UPDATE … RETURNING` (or a CTE ending in one) and gives back the rows.
 * TypeORM's postgres driver answers UPDATE and DELETE with [rows, count].
 */
export async function updateReturning<Row>(em: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  const result = (await em.query(sql, params)) as [Row[], number] | Row[];
  return Array.isArray(result[0]) ? (result[0] as Row[]) : (result as Row[]);
}
