import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pgDump } from '@electric-sql/pglite-tools/pg_dump';
import { LOCK_FILE } from './data-dir-lock.ts';
import { createOrm, pgliteOf } from './orm.ts';

/**
 * Writes a plain SQL dump of the PGlite database in `dataDir` to `file` (pg_dump compiled to WASM, run on
 * the database itself): every schema, the application's and pg-boss's, as CREATE statements and INSERTs,
 * loadable by `psql` into PostgreSQL or by `restorePglite` into a fresh PGlite directory. Opens the
 * directory as the server does (its lock): it fails with DataDirectoryInUse while the server runs.
 */
export async function backupPglite(dataDir: string, file: string): Promise<{ bytes: number }> {
  const orm = await createOrm({ kind: 'pglite', dataDir });
  try {
    const pg = await pgliteOf(orm);
    if (!pg) throw new Error('not a PGlite database');
    // Owners and grants name PGlite's roles, which another server need not have.
    const dump = await pgDump({ pg, args: ['--no-owner', '--no-privileges'] });
    // pg_dump 17 sets transaction_timeout, which PostgreSQL before 17 does not know (psql would report an
    // error for it); the session default is the same, so the line goes.
    const text = (await dump.text()).replace(/^SET transaction_timeout = 0;\n/m, '');
    await writeFile(file, text);
    return { bytes: Buffer.byteLength(text) };
  } finally {
    await orm.close();
  }
}

/** The directory holds no database yet (absent, empty, or only our lock file). */
export function isEmptyDataDir(dataDir: string): boolean {
  return !existsSync(dataDir) || readdirSync(dataDir).every((name) => name === LOCK_FILE);
}

/**
 * Loads a dump made by `backupPglite` (or pg_dump of a Switchboard PostgreSQL database, plain format)
 * into a new PGlite database in `dataDir`, which must not hold one yet: a restore never overwrites data.
 */
export async function restorePglite(dataDir: string, file: string): Promise<void> {
  if (!isEmptyDataDir(dataDir)) {
    throw new Error(
      `${dataDir} already holds a database: move it away (or point DATA_DIR elsewhere) and restore again`,
    );
  }
  const sql = await readFile(file, 'utf8');
  // The dump creates every table itself: an empty cluster, not a copy of the migrated template.
  const orm = await createOrm({ kind: 'pglite', dataDir }, { fromTemplate: false });
  try {
    const pg = await pgliteOf(orm);
    if (!pg) throw new Error('not a PGlite database');
    await pg.exec(sql);
  } finally {
    await orm.close();
  }
}
