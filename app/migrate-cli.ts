/** `npm run db:migrate`: applies pending migrations to the configured database. */

import { createOrm, databaseOptions, migrate } from '../db/orm.ts';
import { parseConfig } from './config.ts';
import { loadEnvironment } from './environment.ts';

const config = parseConfig(loadEnvironment());
const orm = await createOrm(databaseOptions(config));
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
} finally {
  await orm.close();
}
