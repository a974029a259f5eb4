import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { type ServerProcess, spawnServer } from './support/server-process.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTelegramProxy, type TelegramProxy } from './support/telegram-proxy.ts';
import { TEST_JWT_SECRET } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

type Sent = { message_id: number; text?: string };

/** A free loopback port: the webhook URL Telegram knows stays the same across the restart. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/**
 * `kill -9` of the server (`node main.ts`) while it handles an agent's reply: the update has reached the
 * bot (and, polling, Telegram was already told so by the next getUpdates) but its handling is held in
 * getFile. After a restart the reply reaches the visitor exactly once.
 */
describe.each(['polling', 'webhook'] as const)(
  `kill -9 while an update is handled (%s, ${databaseKind})`,
  (mode) => {
    let fake: FakeTelegram;
    let proxy: TelegramProxy;
    let dataDir: string;
    let drop: () => Promise<void> = async () => {};
    let env: Record<string, string>;
    const servers: ServerProcess[] = [];

    const start = async () => {
      const server = spawnServer(env);
      servers.push(server);
      return { server, url: await server.listening };
    };

    beforeAll(async () => {
      // Telegram keeps redelivering to the webhook while the server is down.
      fake = await startFakeTelegram({ webhookRetryDelayMs: 100, webhookMaxAttempts: 100_000 });
      proxy = await startTelegramProxy(fake.apiRoot);
      const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE]);
      dataDir = mkdtempSync(join(tmpdir(), 'switchboard-update-crash-'));
      const database = await createTestDatabase();
      drop = database.drop;
      env = {
        DATA_DIR: dataDir,
        ...(database.options.kind === 'postgresql' ? { DATABASE_URL: database.options.url } : {}),
        JWT_SECRET: TEST_JWT_SECRET,
        ...telegramEnv,
        TELEGRAM_API_ROOT: proxy.apiRoot,
        BOT_MODE: mode,
        WEBHOOK_SECRET,
        PORT: String(await freePort()),
        AFTER_HOURS_MINUTES: '600',
      };
    });

    afterAll(async () => {
      for (const server of servers) await server.kill();
      await proxy?.close();
      await fake?.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('the agent’s reply reaches the visitor exactly once after the restart', async () => {
      const first = await start();
      if (mode === 'webhook') {
        const set = await fetch(`${fake.apiRoot}/bot${fake.token}/setWebhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${first.url}/api/telegram/webhook`, secret_token: WEBHOOK_SECRET }),
        });
        expect(set.status).toBe(200);
      }
      await agentsStartTheBot(fake, [ALICE]);
      const visitor = await newVisitor(first.url);
      const { ticket } = await visitor.say('Can you show me where to click?');
      const card = (await fake.waitFor(
        () => fake.sentTo(GROUP).find((m: Sent) => m.text?.includes(`#${ticket.id}`)),
        { timeoutMs: 30_000 },
      )) as Sent;
      fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
      await fake.waitFor(() => fake.sentTo(ALICE.id).some((m: Sent) => m.text?.includes(`#${ticket.id}`)), {
        timeoutMs: 30_000,
      });

      // The reply's handling stops in getFile; the server dies there.
      const getFile = proxy.hold('getFile');
      const reply = fake.sendPhoto({ from: ALICE.id, bytes: PHOTO, caption: 'Click the blue button' });
      await getFile.arrived;
      if (mode === 'polling') {
        // Telegram was told the update arrived (the runner's next getUpdates): it will not send it again.
        await fake.waitFor(() => fake.pendingUpdateCount() === 0, { timeoutMs: 30_000 });
      }
      expect(await first.server.kill()).toBe('SIGKILL');
      getFile.release();

      const second = await start();
      const replies = async () =>
        (await agentMessagesOn(second.url, visitor)).filter((m) => m.body === 'Click the blue button');
      await eventually(async () => (await replies()).length > 0, 60_000);
      fake.sendText({ from: ALICE.id, text: 'Did that work?' });
      await eventually(
        async () => (await agentMessagesOn(second.url, visitor)).some((m) => m.body === 'Did that work?'),
        30_000,
      );
      const stored = await replies();
      expect(stored).toHaveLength(1);
      expect(stored[0]?.media_url).toMatch(/^\/api\/session\//);
      if (mode === 'webhook') {
        expect(fake.webhookDeliveries.some((d) => d.updateId === reply.update_id && d.status === 200)).toBe(
          true,
        );
      }
    }, 180_000);
  },
);

/** The visitor's agent messages, read from the given (restarted) server. */
async function agentMessagesOn(url: string, visitor: { sessionId: string; token: string }) {
  const response = await fetch(`${url}/api/session/${visitor.sessionId}`, {
    headers: { authorization: `Bearer ${visitor.token}` },
  });
  const { messages } = (await response.json()) as {
    messages: { sender: string; body: string; media_url: string | null }[];
  };
  return messages.filter((m) => m.sender === 'agent');
}
