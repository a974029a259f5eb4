/** `npm run db:migrate`: applies pending migrations to the configured database. */

import { createOrm, databaseOptions, migrate } from '../db/orm.ts';
import { parseConfig } from './config.ts';
import { loadEnvironment } from './environment.ts';
import { exitWithStartFailure } from './start-failure.ts';

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(loadEnvironment());
} catch (error) {
  exitWithStartFailure(error);
}
// The same one-line advice as `npm start` when the database cannot be opened (app/start-failure.ts).
const orm = await createOrm(databaseOptions(config)).catch((error: unknown) =>
  exitWithStartFailure(error, config),
);
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
} finally {
  await orm.close();
}
