import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, migrate } from '../db/orm.ts';
import { TEST_JWT_SECRET } from './support/test-app.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** `npm run db:backup` / `db:restore` as an operator runs them (the CLI on the pinned Node). */
const cli = (command: 'backup' | 'restore', file: string, dataDir: string) =>
  spawnSync(process.execPath, ['app/db-backup-cli.ts', command, file], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_ENV: 'test', DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET },
    timeout: 120_000,
  });

/** A PGlite database as the server leaves it: migrated, with a conversation in it. */
async function seed(dataDir: string) {
  const orm = await createOrm({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
  try {
    await migrate(orm);
    const sql = (query: string, params: unknown[] = []) => orm.em.getConnection().execute(query, params);
    await sql(
      `insert into support_sessions (id, locale) values ('6f9619ff-8b86-4011-b42d-00c04fc964ff', 'ru-RU')`,
    );
    await sql(
      `insert into tickets (session_id, status, category) values ('6f9619ff-8b86-4011-b42d-00c04fc964ff', 'open', 'Billing')`,
    );
    await sql(
      `insert into messages (ticket_id, session_id, sender, body)
         select id, session_id, 'visitor', 'Счёт неверный — it''s wrong; \\ "quoted"' from tickets`,
    );
  } finally {
    await orm.close();
  }
}

const readBack = async (query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>) => ({
  messages: (await query(`select body, sender from messages`)).rows,
  tickets: (await query(`select category, status from tickets`)).rows,
  migrations: (await query(`select count(*)::int as n from mikro_orm_migrations`)).rows[0],
});

describe('PGlite backups', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'switchboard-backup-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('backs up, restores into a fresh data directory, and the data is there; refuses while in use or over data', async () => {
    const source = join(work, 'source');
    const target = join(work, 'target');
    const dump = join(work, 'backup.sql');
    await seed(source);

    // While the server runs (it holds the data directory) the backup refuses, saying why.
    const running = await createOrm({ kind: 'pglite', dataDir: join(source, 'pglite') });
    try {
      const refused = cli('backup', dump, source);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/in use by another process .*stop the server first/);
    } finally {
      await running.close();
    }

    const backup = cli('backup', dump, source);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(backup.stdout).toMatch(/backed up .* to .*backup\.sql/);

    const restore = cli('restore', dump, target);
    expect(restore.status).toBe(0);
    const orm = await createOrm({ kind: 'pglite', dataDir: join(target, 'pglite') });
    try {
      // Nothing left to migrate: the migrations' own table came along.
      expect(await migrate(orm)).toEqual([]);
      const data = await readBack(async (sql) => ({ rows: await orm.em.getConnection().execute(sql) }));
      expect(data.messages).toEqual([
        { body: 'Счёт неверный — it\'s wrong; \\ "quoted"', sender: 'visitor' },
      ]);
      expect(data.tickets).toEqual([{ category: 'Billing', status: 'open' }]);
      // Sequences continue after the restored rows.
      await orm.em
        .getConnection()
        .execute(
          `insert into messages (ticket_id, session_id, sender, body) select id, session_id, 'agent', 'ok' from tickets`,
        );
    } finally {
      await orm.close();
    }

    // A restore never overwrites a database.
    const again = cli('restore', dump, target);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds a database/);
  }, 240_000);

  it.skipIf(!process.env.DATABASE_URL)(
    'the dump loads into PostgreSQL',
    async () => {
      const source = join(work, 'for-postgres');
      const dump = join(work, 'for-postgres.sql');
      await seed(source);
      expect(cli('backup', dump, source).status).toBe(0);

      const name = `switchboard_restore_${Date.now()}`;
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`create database "${name}"`);
      const url = new URL(process.env.DATABASE_URL as string);
      url.pathname = `/${name}`;
      const client = new pg.Client({ connectionString: url.toString() });
      try {
        // As an operator would load it: psql, stopping at the first error.
        const load = spawnSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-f', dump, url.toString()], {
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(load.stderr).toBe('');
        expect(load.status).toBe(0);
        await client.connect();
        const data = await readBack((sql) => client.query(sql));
        expect(data.messages).toEqual([
          { body: 'Счёт неверный — it\'s wrong; \\ "quoted"', sender: 'visitor' },
        ]);
        expect(data.tickets).toEqual([{ category: 'Billing', status: 'open' }]);
        expect(Number(data.migrations?.n)).toBeGreaterThan(0);
      } finally {
        await client.end().catch(() => {});
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      }
    },
    240_000,
  );
});
