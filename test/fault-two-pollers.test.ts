import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP_TEXT } from '../bot/features/help.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { type ServerProcess, spawnServer } from './support/server-process.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTelegramProxy, type TelegramProxy } from './support/telegram-proxy.ts';
import { TEST_JWT_SECRET } from './support/test-app.ts';
import { eventually } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const UNKNOWN_COMMAND = /^Unknown command/;
/** Takeover is one lock attempt (every 3 s) plus the start of polling; generous for a busy machine. */
const TAKEOVER_BOUND_MS = 20_000;

type Sent = { text?: string };
type Instance = { server: ServerProcess; proxy: TelegramProxy; url: string };

/**
 * Two instances (`node main.ts`) on one PostgreSQL database in BOT_MODE=polling: exactly one polls
 * Telegram (the holder of the advisory lock), each through its own Bot API proxy so that the test sees
 * who calls getUpdates. `kill -9` of the poller: the other takes over within seconds.
 */
describe.skipIf(databaseKind !== 'postgresql')(
  'two instances polling one bot (PostgreSQL only: the instances share its advisory lock)',
  () => {
    let fake: FakeTelegram;
    let drop: () => Promise<void> = async () => {};
    let env: Record<string, string>;
    /** A connection of the test's own to the instances' database. */
    let db: pg.Client | undefined;
    const instances: Instance[] = [];
    const dataDirs: string[] = [];

    const start = async (): Promise<Instance> => {
      const proxy = await startTelegramProxy(fake.apiRoot);
      const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-pollers-'));
      dataDirs.push(dataDir);
      const server = spawnServer({ ...env, DATA_DIR: dataDir, TELEGRAM_API_ROOT: proxy.apiRoot });
      const instance = { server, proxy, url: '' };
      instances.push(instance);
      instance.url = await server.listening;
      return instance;
    };
    /** What /readyz says about how the instance gets updates, once its bot is connected. */
    const updatesOf = async ({ url }: Instance) => {
      const body = (await (await fetch(`${url}/readyz`)).json()) as {
        components: { telegram: { state: string; updates?: string } };
      };
      return body.components.telegram.state === 'connected' ? body.components.telegram.updates : undefined;
    };
    const helpReplies = () => fake.sentTo(ALICE.id).filter((m: Sent) => m.text === HELP_TEXT).length;
    const unknownCommandReplies = () =>
      fake.sentTo(ALICE.id).filter((m: Sent) => UNKNOWN_COMMAND.test(m.text ?? '')).length;
    /**
     * Alice sends /help `count` times, then an unknown command; the bot handles one user's updates in
     * order, so once the last is answered every /help was: each must have been answered exactly once.
     * Returns the unknown command's update id.
     */
    const eachUpdateHandledOnce = async (count: number) => {
      const helpBefore = helpReplies();
      const unknownBefore = unknownCommandReplies();
      for (let i = 0; i < count; i += 1) fake.sendText({ from: ALICE.id, text: '/help' });
      const last = fake.sendText({ from: ALICE.id, text: '/nonsense' });
      await fake.waitFor(() => unknownCommandReplies() > unknownBefore, { timeoutMs: 30_000 });
      expect(helpReplies() - helpBefore, problems()).toBe(count);
      expect(unknownCommandReplies() - unknownBefore, problems()).toBe(1);
      return last.update_id;
    };
    /**
     * The update is recorded as handled and no stored update waits for its handling: the poller has
     * nothing in progress. (A reply goes out before its update is recorded; a poller killed in between
     * leaves the update to its successor, which handles it again and replies a second time.)
     */
    const doneWith = async (updateId: number) => {
      const { rows } = await (db as pg.Client).query<{ recorded: boolean; waiting: boolean }>(
        `select
           exists (select 1 from processed_telegram_updates where update_id = $1 and processed_at is not null) as recorded,
           exists (select 1 from processed_telegram_updates where processed_at is null) as waiting`,
        [updateId],
      );
      return rows[0]?.recorded === true && rows[0].waiting === false;
    };
    /** The instances' latest warnings and errors (pino levels 40 and up), to say why a check failed. */
    const problems = () =>
      `warnings and errors of the instances:\n${instances
        .flatMap(({ server }) => server.output().stdout.split('\n'))
        .filter((line) => /"level":(40|50|60)/.test(line))
        .slice(-20)
        .join('\n')}`;
    const conflicts = () => fake.callsOf('getUpdates').filter((call) => call.status === 409).length;

    beforeAll(async () => {
      fake = await startFakeTelegram();
      const database = await createTestDatabase();
      drop = database.drop;
      if (database.options.kind === 'postgresql') {
        db = new pg.Client({ connectionString: database.options.url });
        await db.connect();
      }
      env = {
        ...(database.options.kind === 'postgresql' ? { DATABASE_URL: database.options.url } : {}),
        JWT_SECRET: TEST_JWT_SECRET,
        ...fakeSupportGroup(fake, GROUP, [ALICE]),
        BOT_MODE: 'polling',
        AFTER_HOURS_MINUTES: '600',
      };
    });

    afterAll(async () => {
      for (const { server, proxy } of instances) {
        await server.kill();
        await proxy.close();
      }
      await fake?.close();
      await db?.end();
      await drop();
      for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
    });

    it('exactly one polls; after kill -9 of the poller the other takes over and no update is lost or doubled', async () => {
      const first = await start();
      await eventually(async () => (await updatesOf(first)) === 'polling', 30_000);
      const second = await start();
      await eventually(async () => (await updatesOf(second)) === 'standby', 30_000);

      await agentsStartTheBot(fake, [ALICE]);
      const lastBeforeKill = await eachUpdateHandledOnce(5);
      expect(first.proxy.forwarded('getUpdates')).toBeGreaterThan(0);
      expect(second.proxy.forwarded('getUpdates')).toBe(0);
      expect(conflicts()).toBe(0);
      expect(await updatesOf(second)).toBe('standby');
      // Killed only once it recorded the unknown command as handled: killed between its reply and that
      // record, the poller would leave it to the other instance, whose second "Unknown command" reply
      // would count for the updates below before their /help replies (not a lost update: at-least-once).
      await eventually(() => doneWith(lastBeforeKill), 10_000);

      expect(await first.server.kill()).toBe('SIGKILL');
      const killedAt = Date.now();
      // Sent while nobody polls: they wait at Telegram for the instance that takes over.
      const afterKill = eachUpdateHandledOnce(5);
      await fake.waitFor(() => second.proxy.forwarded('getUpdates') > 0, { timeoutMs: TAKEOVER_BOUND_MS });
      expect(Date.now() - killedAt).toBeLessThan(TAKEOVER_BOUND_MS);
      expect(await updatesOf(second)).toBe('polling');
      await afterKill;
      expect(conflicts()).toBe(0);
      expect(second.server.output().stdout).toMatch(/another instance is polling Telegram/);
      expect(second.server.output().stdout).toMatch(/this instance is polling Telegram/);
    }, 120_000);
  },
);
