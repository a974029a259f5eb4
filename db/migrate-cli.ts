/** `npm run db:migrate`: applies pending migrations to the configured database. */

import { parseConfig } from '../app/config.ts';
import { loadEnvironment } from '../app/environment.ts';
import { createOrm, databaseOptions, migrate } from './orm.ts';

const config = parseConfig(loadEnvironment());
const orm = await createOrm(databaseOptions(config));
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
} finally {
  await orm.close();
}
