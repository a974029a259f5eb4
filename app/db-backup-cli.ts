/**
 * `npm run db:backup -- FILE` / `npm run db:restore -- FILE`: the embedded PGlite database (DATA_DIR/pglite)
 * to and from a plain SQL dump, which PostgreSQL can also load (`psql -f FILE`). Run them while the server
 * is stopped: the data directory is locked by a running server, and the command says so and exits 1.
 * With DATABASE_URL, use PostgreSQL's own pg_dump / psql.
 */
import { DataDirectoryInUse } from '../db/data-dir-lock.ts';
import { databaseOptions } from '../db/orm.ts';
import { backupPglite, restorePglite } from '../db/pglite-backup.ts';
import { parseConfig } from './config.ts';
import { loadEnvironment } from './environment.ts';

const [command, file] = process.argv.slice(2);
const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

if ((command !== 'backup' && command !== 'restore') || !file) {
  fail(`usage: npm run db:${command === 'restore' ? 'restore' : 'backup'} -- FILE`);
}
const config = parseConfig(loadEnvironment());
const database = databaseOptions(config);
if (database.kind !== 'pglite') {
  fail(
    'DATABASE_URL is set: this backs up the embedded PGlite database only. For PostgreSQL use pg_dump / psql ' +
      '(e.g. pg_dump --no-owner "$DATABASE_URL" > FILE).',
  );
}
const dataDir = (database as { dataDir: string }).dataDir;
try {
  if (command === 'backup') {
    const { bytes } = await backupPglite(dataDir, file as string);
    console.log(`backed up ${dataDir} to ${file} (${Math.ceil(bytes / 1024)} KB of SQL)`);
  } else {
    await restorePglite(dataDir, file as string);
    console.log(`restored ${file} into ${dataDir}; start the server as usual`);
  }
} catch (error) {
  if (error instanceof DataDirectoryInUse) {
    fail(
      `${error.message}: stop the server first (the ${command} needs the database to itself), then run it again`,
    );
  }
  fail(`${command} failed: ${(error as Error).message}`);
}
