import { PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { EntityManager } from './orm.ts';

/**
 * Runs one statement outside any transaction, with its parameters bound (`$1`, `$2`, …) by the driver on
 * PostgreSQL: for large values, a file's bytes, that the ORM would write into the SQL text (10 MB as
 * hex costs seconds of CPU). On PGlite (one in-process backend the ORM's transactions share) the ORM
 * runs it, with `?` placeholders in place of `$n`.
 */
export async function boundQuery<T>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  const connection = em.getConnection();
  if (connection instanceof PostgreSqlConnection) {
    const pool = await connection.getNativeClient();
    return (await pool.query(text, params)).rows as T[];
  }
  return connection.execute<T[]>(text.replace(/\$\d+/g, '?'), params);
}
