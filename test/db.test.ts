import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { createServices } from '../core/services.ts';
import { createOrm, migrate } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
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
