import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { createServices } from '../core/services.ts';
import { createOrm, migrate } from '../db/orm.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

describe('database', () => {
  it(`migrations create the seed's tables and are applied once (${databaseKind})`, async () => {
    const { orm, close } = await createTestOrm();
    try {
      const tables = await orm.em
        .getConnection()
        .execute<{ table_name: string }[]>(
          `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
        );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['agents', 'messages', 'passes', 'support_sessions', 'tickets']),
      );
      expect(await migrate(orm)).toEqual([]);
      expect(await orm.migrator.getPending()).toEqual([]);
      // The entities and the committed migrations agree: nothing left to generate.
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
      expect(diff.trim()).toBe('');
    } finally {
      await close();
    }
    // A new cluster, every migration and two schema introspections: on PGlite on a busy 2-core machine
    // that alone can take most of the default 30 s.
  }, 90_000);

  it(`upgrading a database where a redelivered agent message was stored twice works (${databaseKind})`, async () => {
    const database = await createTestDatabase();
    const orm = await createOrm(database.options, { fromTemplate: false });
    try {
      await orm.migrator.up({ to: 'Migration20261124131108_telegram' });
      const sql = (query: string) => orm.em.getConnection().execute(query);
      await sql(`insert into support_sessions (id) values ('00000000-0000-4000-8000-000000000001')`);
      await sql(`insert into agents (id, name, tg_chat_id) values (1, 'Alice', 1001)`);
      await sql(`insert into tickets (id, session_id) values (1, '00000000-0000-4000-8000-000000000001')`);
      for (const body of ['first copy', 'second copy']) {
        await sql(
          `insert into messages (ticket_id, session_id, sender, agent_id, body, tg_message_id)
             values (1, '00000000-0000-4000-8000-000000000001', 'agent', 1, '${body}', 42)`,
        );
      }
      await migrate(orm);
      const rows = await orm.em
        .getConnection()
        .execute<{ body: string; tg_message_id: string | null }[]>(
          'select body, tg_message_id from messages order by id',
        );
      // Both messages are kept; the first keeps its Telegram id, so a redelivery is still recognised.
      expect(rows.map((row) => [row.body, row.tg_message_id && Number(row.tg_message_id)])).toEqual([
        ['first copy', 42],
        ['second copy', null],
      ]);
    } finally {
      await orm.close();
      await database.drop();
    }
  });

  it('data survives a restart on PGlite', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'switchboard-pglite-')), 'pglite');
    try {
      const first = await createOrm({ kind: 'pglite', dataDir });
      await migrate(first);
      const services = createServices({ em: first.em, bus: createInProcessEventBus() });
      const sessionId = await inContext(first, () => services.sessions.createSession({ locale: 'fr' }));
      await inContext(first, () => services.messages.sendVisitorMessage({ sessionId, body: 'Bonjour' }));
      await first.close();

      const second = await createOrm({ kind: 'pglite', dataDir });
      expect(await migrate(second)).toEqual([]);
      const again = createServices({ em: second.em, bus: createInProcessEventBus() });
      const conversation = await inContext(second, () => again.sessions.getConversation(sessionId));
      expect(conversation.messages.map((m) => m.body)).toEqual(['Bonjour']);
      expect(conversation.ticket?.status).toBe('open');
      await second.close();
    } finally {
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });
});
