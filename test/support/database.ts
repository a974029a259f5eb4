import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseOptions } from '../../db/orm.ts';

/**
 * A fresh, empty database for one test file: PGlite in memory by default; with DATABASE_URL set, a new
 * database on that PostgreSQL server (created here, dropped by `drop()`), so test files never share data.
 */
export async function createTestDatabase(): Promise<{ options: DatabaseOptions; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { options: { kind: 'pglite', dataDir: 'memory://' }, drop: async () => {} };

  const name = `switchboard_test_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    options: { kind: 'postgresql', url: url.toString() },
    drop: () => admin(`drop database if exists "${name}" with (force)`),
  };
}

export const databaseKind = process.env.DATABASE_URL ? 'postgresql' : 'pglite';
