import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { createServices } from '../core/services.ts';
import { LOCK_FILE } from '../db/data-dir-lock.ts';
import { createOrm, migrate } from '../db/orm.ts';
import {
  currentTemplateInputs,
  findTemplate,
  findTemplateArchive,
  SEEDING_MARKER,
  seedDataDirectory,
  TEMPLATE_ARCHIVE,
  templateKey,
} from '../db/pglite-template.ts';
import { inContext } from './support/test-app.ts';

const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

/**
 * New PGlite data directories start as a copy of a migrated template cluster (db/pglite-template.ts),
 * made by the real scripts/make-pglite-template.ts into a temporary template root.
 */
describe('PGlite template', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'switchboard-template-'));
  const root = join(scratch, 'templates');
  const key = templateKey();
  const newDataDir = (name: string) => {
    const directory = join(scratch, name);
    mkdirSync(directory);
    return directory;
  };

  beforeAll(async () => {
    await run(process.execPath, ['scripts/make-pglite-template.ts', '--strict', '--root', root], {
      cwd: ROOT,
    });
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('a new data directory seeded from the template is a complete, migrated database', async () => {
    expect(findTemplate(key, root)).toBe(join(root, key));
    const dataDir = newDataDir('seeded');
    expect(seedDataDirectory(dataDir, { root })).toBe('seeded');
    expect(readdirSync(dataDir)).toContain('PG_VERSION');
    expect(readdirSync(dataDir)).not.toContain(SEEDING_MARKER);
    expect(readdirSync(dataDir)).not.toContain(TEMPLATE_ARCHIVE);

    const orm = await createOrm({ kind: 'pglite', dataDir });
    try {
      expect(await migrate(orm)).toEqual([]);
      expect(await orm.migrator.getPending()).toEqual([]);
      // The schema is the entities' own, and pg-boss's queues are there.
      expect((await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
      const queues = await orm.em
        .getConnection()
        .execute<{ name: string }[]>('select name from pgboss.queue order by name');
      expect(queues.map((queue) => queue.name)).toEqual(['telegram-outbound', 'ticket-timers']);
      const services = createServices({ em: orm.em, bus: createInProcessEventBus() });
      const sessionId = await inContext(orm, () => services.sessions.createSession({}));
      await inContext(orm, () => services.messages.sendVisitorMessage({ sessionId, body: 'Hello' }));
      const conversation = await inContext(orm, () => services.sessions.getConversation(sessionId));
      expect(conversation.messages.map((message) => message.body)).toEqual(['Hello']);
    } finally {
      await orm.close();
    }

    // The copy is the directory's own: the template is as it was, and another seed starts empty.
    const other = newDataDir('seeded-again');
    expect(seedDataDirectory(other, { root })).toBe('seeded');
    const second = await createOrm({ kind: 'pglite', dataDir: other });
    try {
      const rows = await second.em
        .getConnection()
        .execute<{ n: number }[]>('select count(*)::int as n from messages');
      expect(rows[0]?.n).toBe(0);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('an in-memory database is loaded from the archive of the install’s template: migrated, with the queues, its own', async () => {
    expect(findTemplateArchive(key, root)).toBe(join(root, key, TEMPLATE_ARCHIVE));
    // The tests' global set-up makes the install's template (as npm install does).
    expect(findTemplateArchive()).toBeDefined();
    const memory = () => createOrm({ kind: 'pglite', dataDir: 'memory://' });
    const first = await memory();
    const second = await memory();
    try {
      // Nothing to apply: a database created empty would apply every migration here.
      expect(await migrate(first)).toEqual([]);
      const queues = await first.em
        .getConnection()
        .execute<{ name: string }[]>('select name from pgboss.queue order by name');
      expect(queues.map((queue) => queue.name)).toEqual(['telegram-outbound', 'ticket-timers']);
      const services = createServices({ em: first.em, bus: createInProcessEventBus() });
      const sessionId = await inContext(first, () => services.sessions.createSession({}));
      await inContext(first, () => services.messages.sendVisitorMessage({ sessionId, body: 'Hello' }));
      const count = async (orm: typeof first) =>
        (await orm.em.getConnection().execute<{ n: number }[]>('select count(*)::int as n from messages'))[0]
          ?.n;
      expect(await count(first)).toBe(1);
      expect(await count(second)).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
    // Asked for an empty one (a migration being written, an upgrade test), it is.
    const empty = await createOrm({ kind: 'pglite', dataDir: 'memory://' }, { fromTemplate: false });
    try {
      expect((await migrate(empty)).length).toBeGreaterThan(0);
    } finally {
      await empty.close();
    }
  }, 120_000);

  it('a template made for other migrations or another PGlite is never used', async () => {
    const migrationsDir = join(scratch, 'migrations');
    cpSync(currentTemplateInputs().migrationsDir, migrationsDir, { recursive: true });
    const inputs = { ...currentTemplateInputs(), migrationsDir };
    expect(templateKey(inputs)).toBe(key);
    writeFileSync(join(migrationsDir, 'Migration29990101000000_later.ts'), 'export {};\n');
    const laterMigrations = templateKey(inputs);
    expect(laterMigrations).not.toBe(key);
    expect(templateKey({ ...currentTemplateInputs(), pgliteVersion: '0.0.1' })).not.toBe(key);

    // The same template kept under another key (another install's), and a directory under this key
    // that is not a complete template: neither is found, and a new directory is left to PGlite.
    const elsewhere = join(scratch, 'elsewhere');
    mkdirSync(elsewhere);
    cpSync(join(root, key), join(elsewhere, laterMigrations), { recursive: true });
    writeFileSync(
      join(elsewhere, laterMigrations, 'switchboard-template.json'),
      `${JSON.stringify({ key: laterMigrations })}\n`,
    );
    mkdirSync(join(elsewhere, key));
    writeFileSync(join(elsewhere, key, 'PG_VERSION'), '17\n');
    expect(findTemplate(key, elsewhere)).toBeUndefined();
    const dataDir = newDataDir('mismatched');
    expect(seedDataDirectory(dataDir, { root: elsewhere })).toBe('fresh');
    expect(readdirSync(dataDir)).toEqual([]);
    // The template of the key it was made for is found.
    expect(seedDataDirectory(newDataDir('matched'), { root: elsewhere, key: laterMigrations })).toBe(
      'seeded',
    );
  });

  it('an unfinished seed is emptied and made again, or left empty when there is no template; other data is never touched', async () => {
    const interrupted = () => {
      const directory = newDataDir(`interrupted-${Math.random().toString(36).slice(2)}`);
      writeFileSync(join(directory, LOCK_FILE), `${process.pid}\n`);
      writeFileSync(join(directory, SEEDING_MARKER), `${key}\n`);
      mkdirSync(join(directory, 'base'));
      writeFileSync(join(directory, 'base', 'half-copied'), 'x');
      return directory;
    };
    const again = interrupted();
    expect(seedDataDirectory(again, { root })).toBe('seeded');
    expect(existsSync(join(again, 'base', 'half-copied'))).toBe(false);
    expect(readdirSync(again)).toContain('PG_VERSION');
    expect(readdirSync(again)).not.toContain(SEEDING_MARKER);

    const withoutTemplate = interrupted();
    expect(seedDataDirectory(withoutTemplate, { root: join(scratch, 'no-templates') })).toBe('fresh');
    expect(readdirSync(withoutTemplate)).toEqual([LOCK_FILE]);

    const existing = newDataDir('existing');
    writeFileSync(join(existing, 'PG_VERSION'), '17\n');
    expect(seedDataDirectory(existing, { root })).toBe('existing');
    expect(readdirSync(existing)).toEqual(['PG_VERSION']);
  });

  it('a seed that fails half way is undone, leaving the directory empty for PGlite', () => {
    const dataDir = newDataDir('copy-fails');
    writeFileSync(join(dataDir, LOCK_FILE), `${process.pid}\n`);
    // The disk fills up after a few entries were copied.
    let copied = 0;
    const copy = (from: string, to: string) => {
      if (copied === 3) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      cpSync(from, to, { recursive: true });
      copied += 1;
    };
    expect(seedDataDirectory(dataDir, { root, copy })).toBe('fresh');
    expect(copied).toBe(3);
    expect(readdirSync(dataDir)).toEqual([LOCK_FILE]);
  });
});
