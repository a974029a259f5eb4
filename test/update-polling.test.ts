import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../app/logger.ts';
import { ALLOWED_UPDATES } from '../bot/create-bot.ts';
import { HELP_TEXT } from '../bot/features/help.ts';
import { createProcessedUpdates } from '../bot/storage/processed-updates.ts';
import { startPolling, type UpdateRetry } from '../bot/update-polling.ts';
import { createOrm, type DatabaseOptions, migrate } from '../db/orm.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTelegramProxy, type TelegramProxy } from './support/telegram-proxy.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const DAY_MS = 24 * 3600_000;

type Sent = { message_id: number; text?: string };

/** Telegram's flood control on getFile; auto-retry tries 3 more times at once, then the update fails. */
const FLOOD = {
  ok: false,
  error_code: 429,
  description: 'Too Many Requests: retry after 0',
  parameters: { retry_after: 0 },
};
/** getFile calls per failed attempt of an update (the first and auto-retry's 3). */
const CALLS_PER_ATTEMPT = 4;
/** Attempts the old schedule gave an update while running (the first and 5 retries over ~7.6 min). */
const OLD_ATTEMPTS = 6;
/** A getFile answer without a file path: the handler throws an ordinary error (as a bug would). */
const NO_FILE_PATH = { ok: true, result: { file_id: 'gone', file_unique_id: 'gone' } };

/** Short pauses, so that a test sees many attempts; the schedule's shape is the production one. */
const FAST: UpdateRetry = { initialDelayMs: 20, maxDelayMs: 200, attemptsOnOtherErrors: 3 };

/**
 * Polling while handling fails: passing faults (Telegram, the database) are waited out for as long as
 * it takes, a user's updates keep their order, other failures give up and let the user's later updates
 * go on. The app runs as `npm start` composes it, in polling mode; its poller is replaced by one with
 * short pauses (the same code, `startPolling`).
 */
describe(`polling: failed updates (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let proxy: TelegramProxy;
  let app: TestApp;
  let visitor: Visitor;
  let polling: ReturnType<typeof startPolling> | undefined;
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  const startOwnPolling = async (retry: UpdateRetry) => {
    const telegram = app.telegram;
    if (!telegram) throw new Error('the bot did not start');
    polling = startPolling({
      bot: telegram.bot,
      updates: createProcessedUpdates(app.orm.em.fork()),
      allowedUpdates: ALLOWED_UPDATES,
      logger,
      retry,
    });
    await polling.start();
  };
  const stored = async (updateId: number) => {
    const rows = await app.orm.em
      .getConnection()
      .execute<{ processed_at: Date | null; payload: unknown }[]>(
        'select processed_at, payload from processed_telegram_updates where update_id = ?',
        [updateId],
      );
    return rows[0];
  };
  const agentBodies = async () => (await visitor.messages('agent')).map((m) => m.body);
  const times = (bodies: string[], body: string) => bodies.filter((candidate) => candidate === body).length;
  /** The proxy's canned answers of the current test, switched off after it (also when it fails). */
  const faults: { stop(): void }[] = [];
  const answerAll = (method: string, status: number, body: unknown) => {
    const fault = proxy.answer(method, status, body);
    faults.push(fault);
    return fault;
  };
  afterEach(() => {
    for (const fault of faults.splice(0)) fault.stop();
  });

  beforeAll(async () => {
    fake = await startFakeTelegram();
    proxy = await startTelegramProxy(fake.apiRoot);
    const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE]);
    app = await startTestApp({
      ...telegramEnv,
      TELEGRAM_API_ROOT: proxy.apiRoot,
      BOT_MODE: 'polling',
      AFTER_HOURS_MINUTES: '600',
      RATE_LIMIT_MESSAGES: '100',
    });
    // The app's own poller (production pauses) makes way for one with short pauses.
    await app.telegram?.stop();
    await startOwnPolling(FAST);
    await agentsStartTheBot(fake, [ALICE]);

    visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('Hello, I need help');
    const card = (await fake.waitFor(
      () => fake.sentTo(GROUP).find((m: Sent) => m.text?.includes(`#${ticket.id}`)),
      { timeoutMs: 15_000 },
    )) as Sent;
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await fake.waitFor(
      () =>
        fake
          .sentTo(ALICE.id)
          .some((m: Sent) => new RegExp(`connected to (<b>)?#${ticket.id}`).test(m.text ?? '')),
      { timeoutMs: 15_000 },
    );
  }, 60_000);

  afterAll(async () => {
    await polling?.stop();
    await app?.close();
    await proxy?.close();
    await fake?.close();
  });

  it('an update failing on a passing fault for longer than the old schedule is handled once when it ends; the same agent’s next reply waits behind it', async () => {
    const flood = answerAll('getFile', 429, FLOOD);
    const photo = fake.sendPhoto({ from: ALICE.id, bytes: PHOTO, caption: 'Photo first' });
    await eventually(async () => flood.count >= CALLS_PER_ATTEMPT, 15_000);

    // The agent's next reply arrives while the photo waits for its retry: received and stored, not handled.
    const text = fake.sendText({ from: ALICE.id, text: 'Text second' });
    await eventually(async () => (await stored(text.update_id)) !== undefined, 15_000);
    await fake.waitFor(() => fake.pendingUpdateCount() === 0, { timeoutMs: 15_000 });
    const whenTextArrived = flood.count;
    await eventually(async () => flood.count >= whenTextArrived + 2 * CALLS_PER_ATTEMPT, 15_000);
    expect(await agentBodies()).not.toContain('Text second');

    // More attempts than the old schedule made before giving up until the next start.
    await eventually(async () => flood.count >= (OLD_ATTEMPTS + 3) * CALLS_PER_ATTEMPT, 15_000);
    expect(await agentBodies()).not.toContain('Text second');
    expect(await agentBodies()).not.toContain('Photo first');
    expect((await stored(photo.update_id))?.processed_at).toBeNull();
    expect((await stored(text.update_id))?.processed_at).toBeNull();

    flood.stop();
    await eventually(async () => (await agentBodies()).includes('Text second'), 15_000);
    const bodies = await agentBodies();
    expect(times(bodies, 'Photo first')).toBe(1);
    expect(times(bodies, 'Text second')).toBe(1);
    // The visitor sees them in the order the agent sent them.
    expect(bodies.indexOf('Photo first')).toBeLessThan(bodies.indexOf('Text second'));
    expect((await stored(photo.update_id))?.processed_at).not.toBeNull();
    expect((await stored(text.update_id))?.processed_at).not.toBeNull();
  });

  it('stop() does not wait for a pending retry; the update stays stored and the next start handles it once', async () => {
    await polling?.stop();
    // A retry that would come only in ten minutes.
    await startOwnPolling({ ...FAST, initialDelayMs: 600_000, maxDelayMs: 600_000 });
    const flood = answerAll('getFile', 429, FLOOD);
    const photo = fake.sendPhoto({ from: ALICE.id, bytes: PHOTO, caption: 'Sent while stopping' });
    await eventually(async () => flood.count >= CALLS_PER_ATTEMPT, 15_000);

    const started = Date.now();
    await polling?.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    flood.stop();
    expect((await stored(photo.update_id))?.processed_at).toBeNull();
    expect((await stored(photo.update_id))?.payload).not.toBeNull();

    await startOwnPolling(FAST);
    await eventually(async () => (await agentBodies()).includes('Sent while stopping'), 15_000);
    expect(times(await agentBodies(), 'Sent while stopping')).toBe(1);
    await eventually(async () => (await stored(photo.update_id))?.processed_at);
  });

  it('an update failing for another reason (a bug) is tried a few times, then left stored; the agent’s later replies go on; the next start handles it', async () => {
    const broken = answerAll('getFile', 200, NO_FILE_PATH);
    const photo = fake.sendPhoto({ from: ALICE.id, bytes: PHOTO, caption: 'Photo after the fix' });
    fake.sendText({ from: ALICE.id, text: 'Not held up by the broken one' });
    await eventually(async () => (await agentBodies()).includes('Not held up by the broken one'), 15_000);

    expect(broken.count).toBe(FAST.attemptsOnOtherErrors);
    expect(await agentBodies()).not.toContain('Photo after the fix');
    const row = await stored(photo.update_id);
    expect(row?.processed_at).toBeNull();
    expect(row?.payload).not.toBeNull();

    // The bug is fixed; the next start handles the stored update.
    broken.stop();
    await polling?.stop();
    await startOwnPolling(FAST);
    await eventually(async () => (await agentBodies()).includes('Photo after the fix'), 15_000);
    expect(times(await agentBodies(), 'Photo after the fix')).toBe(1);
    await eventually(async () => (await stored(photo.update_id))?.processed_at);
  });
});

/**
 * At start, updates handled over a day ago are forgotten, but an update that was fetched over a day ago
 * and never handled (the process was down, or a bug kept failing it) is kept and handled.
 */
describe(`polling: start after a long stop (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp | undefined;
  let database: { options: DatabaseOptions; drop: () => Promise<void> };
  let pgliteDir: string | undefined;

  const STRANDED = 900_000_001;
  const HANDLED_LONG_AGO = 900_000_002;
  const HANDLED_RECENTLY = 900_000_003;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    if (databaseKind === 'pglite') {
      // On disk: the database is prepared first, then the app opens it.
      pgliteDir = mkdtempSync(join(tmpdir(), 'switchboard-polling-start-'));
      database = { options: { kind: 'pglite', dataDir: join(pgliteDir, 'pglite') }, drop: async () => {} };
    } else {
      database = await createTestDatabase();
    }
    const orm = await createOrm(database.options);
    await migrate(orm);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    const stranded = {
      update_id: STRANDED,
      message: {
        message_id: 424_242,
        date: Math.floor(twoDaysAgo.getTime() / 1000),
        chat: { id: ALICE.id, type: 'private', first_name: ALICE.first_name },
        from: { id: ALICE.id, is_bot: false, first_name: ALICE.first_name, username: ALICE.username },
        text: '/help',
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      },
    };
    const connection = orm.em.getConnection();
    await connection.execute(
      'insert into processed_telegram_updates (update_id, received_at, payload, processed_at) values (?, ?, ?, null)',
      [STRANDED, twoDaysAgo, JSON.stringify(stranded)],
    );
    await connection.execute(
      'insert into processed_telegram_updates (update_id, received_at, payload, processed_at) values (?, ?, null, ?), (?, ?, null, ?)',
      [HANDLED_LONG_AGO, twoDaysAgo, twoDaysAgo, HANDLED_RECENTLY, new Date(), new Date()],
    );
    await orm.close();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
    await fake?.close();
  });

  it('keeps and handles the update never handled, forgets only the one handled over a day ago', async () => {
    const telegramEnv = fakeSupportGroup(fake, GROUP, [ALICE]);
    app = await startTestApp(
      { ...telegramEnv, BOT_MODE: 'polling', AFTER_HOURS_MINUTES: '600' },
      { database: database.options },
    );
    // The stranded /help is answered.
    await fake.waitFor(() => fake.sentTo(ALICE.id).some((m: Sent) => m.text === HELP_TEXT), {
      timeoutMs: 15_000,
    });
    const rows = async () =>
      (app as TestApp).orm.em
        .getConnection()
        .execute<{ update_id: string | number; processed_at: Date | null }[]>(
          'select update_id, processed_at from processed_telegram_updates where update_id >= ? order by update_id',
          [STRANDED],
        );
    await eventually(async () => (await rows()).every((row) => row.processed_at !== null));
    expect((await rows()).map((row) => Number(row.update_id))).toEqual([STRANDED, HANDLED_RECENTLY]);
    expect(fake.sentTo(ALICE.id).filter((m: Sent) => m.text === HELP_TEXT)).toHaveLength(1);
  });
});
