import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { type ServerProcess, spawnServer } from './support/server-process.ts';
import { setupCodeInLog } from './support/setup-code.ts';
import { TEST_JWT_SECRET } from './support/test-app.ts';
import { newVisitor } from './support/visitor.ts';

const TEAM = -1001000000001;
const NEW_TEAM = -1001000000002;
const OUTSIDER_GROUP = -1009000000001;
const ALICE = { id: 1001, first_name: 'Alice', username: 'alice' };
const EVE = { id: 1003, first_name: 'Eve', username: 'eve' };

type Sent = { message_id: number; text?: string };

/**
 * Binding the support group takes the one-time setup code the server logs (as an operator reads it),
 * not just being the admin of some group: anyone can add the bot to their own group.
 */
describe(`only the operator binds the support group (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let dataDir: string;
  let drop: () => Promise<void> = async () => {};
  let env: Record<string, string>;
  const servers: ServerProcess[] = [];

  const start = async () => {
    const server = spawnServer(env);
    servers.push(server);
    return { server, url: await server.listening };
  };
  /** The setup code the server logged after `logged` characters of its output. */
  const loggedCode = async (server: ServerProcess, pattern: RegExp, logged = 0) => {
    const line = await fake.waitFor(
      () =>
        server
          .output()
          .stdout.slice(logged)
          .split('\n')
          .find((entry) => pattern.test(entry)),
      { timeoutMs: 30_000 },
    );
    return setupCodeInLog(line) as string;
  };
  const botSaid = (chatId: number, pattern: RegExp) =>
    fake.waitFor(() => fake.sentTo(chatId).find((m: Sent) => pattern.test(m.text ?? '')), {
      timeoutMs: 15_000,
    });
  const cardIn = (chatId: number, ticketId: number) =>
    fake.waitFor(() => fake.sentTo(chatId).find((m: Sent) => m.text?.includes(`#${ticketId}`)), {
      timeoutMs: 30_000,
    });
  const setup = (from: number, chatId: number, code?: string) =>
    fake.sendText({ from, chatId, text: code ? `/setup ${code}` : '/setup' });

  beforeAll(async () => {
    fake = await startFakeTelegram();
    for (const user of [ALICE, EVE]) fake.addUser(user);
    for (const [group, admin] of [
      [TEAM, ALICE],
      [NEW_TEAM, ALICE],
      [OUTSIDER_GROUP, EVE],
    ] as const) {
      fake.addGroup({ id: group, title: `Group ${group}`, botStatus: 'left' });
      fake.setChatMember(group, admin.id, 'creator');
    }
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-setup-code-'));
    const database = await createTestDatabase();
    drop = database.drop;
    env = {
      DATA_DIR: dataDir,
      ...(database.options.kind === 'postgresql' ? { DATABASE_URL: database.options.url } : {}),
      JWT_SECRET: TEST_JWT_SECRET,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_THROTTLE: 'false',
      BOT_MODE: 'polling',
      AFTER_HOURS_MINUTES: '600',
    };
  });

  afterAll(async () => {
    for (const server of servers) await server.kill();
    await fake?.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses outsiders, binds with the logged code, moves only with a fresh one', async () => {
    const first = await start();
    const code = await loggedCode(first.server, /No support group yet/);
    expect(code).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);

    // An outsider adds the bot to their own group: /setup without the code, or with a wrong one, is refused.
    fake.botAddedToGroup({ groupId: OUTSIDER_GROUP, by: EVE.id });
    await botSaid(OUTSIDER_GROUP, /setup code from the Switchboard server’s log/);
    setup(EVE.id, OUTSIDER_GROUP);
    await botSaid(OUTSIDER_GROUP, /send \/setup followed by the setup code/);
    setup(EVE.id, OUTSIDER_GROUP, '2222-3333-4444-5555');
    await botSaid(OUTSIDER_GROUP, /setup code is not valid/);

    // A visitor writes meanwhile; the operator's code binds the team's group, which gets the card.
    const visitor = await newVisitor(first.url);
    const waiting = (await visitor.say('My order never arrived')).ticket;
    fake.botAddedToGroup({ groupId: TEAM, by: ALICE.id });
    const logged = first.server.output().stdout.length;
    setup(ALICE.id, TEAM, code.toLowerCase().replaceAll('-', ' ')); // retyped loosely
    await botSaid(TEAM, /now the support group/);
    await cardIn(TEAM, waiting.id);
    const nextCode = await loggedCode(first.server, /Support group bound/, logged);
    expect(nextCode).not.toBe(code);

    // The used code no longer works, not even for the outsider.
    setup(EVE.id, OUTSIDER_GROUP, code);
    await fake.waitFor(
      () => fake.sentTo(OUTSIDER_GROUP).filter((m: Sent) => /not valid/.test(m.text ?? '')).length === 2,
    );

    // Moving takes the fresh code; then that one is used up too.
    fake.botAddedToGroup({ groupId: NEW_TEAM, by: ALICE.id });
    const loggedBeforeMove = first.server.output().stdout.length;
    setup(ALICE.id, NEW_TEAM, nextCode);
    await botSaid(NEW_TEAM, /now the support group/);
    const codeAfterMove = await loggedCode(first.server, /Support group bound/, loggedBeforeMove);
    const moved = (await (await newVisitor(first.url)).say('Hello from after the move')).ticket;
    await cardIn(NEW_TEAM, moved.id);
    setup(EVE.id, OUTSIDER_GROUP, nextCode);
    await fake.waitFor(
      () => fake.sentTo(OUTSIDER_GROUP).filter((m: Sent) => /not valid/.test(m.text ?? '')).length === 3,
    );

    // Nothing of a visitor ever reached the outsider's group: only the greeting and the refusals.
    expect(fake.sentTo(OUTSIDER_GROUP).some((m: Sent) => /#\d+|order|move/.test(m.text ?? ''))).toBe(false);
    expect(fake.sentTo(OUTSIDER_GROUP)).toHaveLength(5);
    expect(fake.sentTo(TEAM).some((m: Sent) => m.text?.includes(`#${moved.id}`))).toBe(false);

    // The binding and the current code are in the database: a restart logs the same code.
    await first.server.stop();
    const second = await start();
    expect(await loggedCode(second.server, /Support group bound/)).toBe(codeAfterMove);
  }, 180_000);
});
