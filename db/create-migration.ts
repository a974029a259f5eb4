/** Development tool: writes a migration for the difference between the entities and the migrated schema. */
import { createOrm, migrate } from './orm.ts';

// An empty cluster, migrated here: what the committed migrations make, not a template made earlier.
const orm = await createOrm({ kind: 'pglite', dataDir: 'memory://' }, { fromTemplate: false });
try {
  await migrate(orm);
  const result = await orm.migrator.create('db/migrations', false, false, process.argv[2]);
  console.log(result.fileName ? `wrote db/migrations/${result.fileName}` : 'no schema changes');
} finally {
  await orm.close();
}
