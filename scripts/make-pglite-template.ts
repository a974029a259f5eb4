/**
 * Makes the migrated PGlite template cluster that new data directories are copied from (db/pglite-template.ts),
 * unless the install already has the one for its current migrations and PGlite. Run by `npm install`
 * (postinstall) and by the Docker build; `npm start` works without it (a new cluster then takes seconds).
 *
 * Never fails an install: a template that cannot be made (a read-only node_modules, an old Node, no disk)
 * is reported on one line and the command exits 0. `--strict` exits 1 instead (the Docker build uses it).
 * `--root DIR` makes it there instead of node_modules/.cache/switchboard/pglite-template (tests).
 * `--without-archive` leaves out the template's archive (42 MB), which only the tests' in-memory databases
 * read: the Docker image uses it.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeTemplate } from '../db/pglite-template.ts';

const { values } = parseArgs({
  options: { strict: { type: 'boolean' }, root: { type: 'string' }, 'without-archive': { type: 'boolean' } },
});

/**
 * A cluster as a first start leaves it: migrated, with pg-boss's schema and the job queues; and, unless
 * `--without-archive`, the same as one archive, for in-memory databases.
 */
async function build(directory: string, archive: string) {
  // Loaded only to make one: when the template exists, checking costs no ORM.
  const [{ pino }, { createOrm, migrate, pgliteOf }, { startJobQueue }] = await Promise.all([
    import('pino'),
    import('../db/orm.ts'),
    import('../jobs/job-queue.ts'),
  ]);
  const orm = await createOrm({ kind: 'pglite', dataDir: directory }, { fromTemplate: false });
  try {
    await migrate(orm);
    const jobs = await startJobQueue({ orm, logger: pino({ level: 'silent' }), afterHoursSeconds: 60 });
    await jobs.stop();
    const pglite = await pgliteOf(orm);
    if (!pglite) throw new Error('the template is made on PGlite');
    await pglite.exec('checkpoint');
    if (values['without-archive']) return;
    const tar = await pglite.dumpDataDir('none');
    writeFileSync(archive, Buffer.from(await tar.arrayBuffer()));
  } finally {
    await orm.close();
  }
}

try {
  const started = performance.now();
  const { directory, made } = await makeTemplate(build, values.root ? { root: values.root } : {});
  if (made) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `switchboard: made the PGlite template for new data directories in ${seconds} s (${directory})`,
    );
  }
} catch (error) {
  console.warn(
    `switchboard: no PGlite template (${(error as Error).message}); new data directories are created ` +
      'from scratch, which takes a few seconds longer',
  );
  if (values.strict) process.exit(1);
}
