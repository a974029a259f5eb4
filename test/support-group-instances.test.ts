import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { currentSetupCode } from './support/setup-code.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const TEAM = -1001000000001;
const NEW_TEAM = -1001000000002;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
/**
 * Far below the cache's own expiry (a minute): within this the other instance must have dropped its
 * cached binding because it heard of the change, not because the cache ran out.
 */
const SEEN_WITHIN_MS = 5_000;

type Sent = { text?: string };

/**
 * The support group bound with /setup on instance A (Telegram's webhook points at A) is used by
 * instance B at once, although B cached the previous binding (issue 15).
 */
describe.skipIf(databaseKind !== 'postgresql')(
  'the support group on every instance at once (PostgreSQL only: PGlite is one instance)',
  () => {
    let fake: FakeTelegram;
    let a: TestApp;
    let b: TestApp;
    let drop: () => Promise<void>;

    /** The group B's /readyz names: what B's cached binding says. */
    const groupOnB = async () => {
      const body = (await (await fetch(`${b.url}/readyz`)).json()) as {
        components: { support_group: { chat_id?: number } };
      };
      return body.components.support_group.chat_id ?? null;
    };
    const bind = async (groupId: number) => {
      const code = await currentSetupCode(a.orm);
      fake.botAddedToGroup({ groupId, by: ALICE.id });
      fake.sendText({ from: ALICE.id, chatId: groupId, text: `/setup ${code}` });
      await fake.waitFor(() =>
        fake.sentTo(groupId).some((m: Sent) => /now the support group/.test(m.text ?? '')),
      );
    };

    beforeAll(async () => {
      fake = await startFakeTelegram();
      fake.addUser(ALICE);
      for (const group of [TEAM, NEW_TEAM]) {
        fake.addGroup({ id: group, title: `Group ${group}`, botStatus: 'left' });
        fake.setChatMember(group, ALICE.id, 'creator');
      }
      const database = await createTestDatabase();
      drop = database.drop;
      const env = {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_THROTTLE: 'false',
        BOT_MODE: 'webhook',
        WEBHOOK_SECRET,
        AFTER_HOURS_MINUTES: '600',
      };
      a = await startTestApp(env, { database: database.options });
      b = await startTestApp(env, { database: database.options });
      await a.telegram?.setWebhook(`${a.url}/api/telegram/webhook`);
    }, 60_000);

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await drop?.();
      await fake?.close();
    });

    it('B sees the group bound on A at once, and posts the next card to the group it moved to', async () => {
      expect(await groupOnB()).toBeNull(); // now cached on B

      await bind(TEAM);
      await eventually(async () => (await groupOnB()) === TEAM, SEEN_WITHIN_MS);

      // Moved on A; B (its cache holding TEAM) is the one left to deliver the next card.
      await bind(NEW_TEAM);
      await a.close();
      const visitor = await newVisitor(b.url);
      const { ticket } = await visitor.say('Hello after the move');
      const card = await fake.waitFor(
        () =>
          [TEAM, NEW_TEAM].find((group) =>
            fake.sentTo(group).some((m: Sent) => m.text?.includes(`#${ticket.id}`)),
          ),
        { timeoutMs: SEEN_WITHIN_MS * 3 },
      );
      expect(card).toBe(NEW_TEAM);
    }, 60_000);
  },
);
