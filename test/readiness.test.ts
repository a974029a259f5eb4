import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { signInitData, tma } from './support/init-data.ts';
import { type ServerProcess, spawnServer } from './support/server-process.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567001;
const ALICE = { id: 7001, first_name: 'Alice', username: 'alice' };

type Readiness = {
  status: 'ready' | 'not_ready';
  problems: string[];
  // biome-ignore lint/suspicious/noExplicitAny: checked field by field.
  components: Record<string, any>;
};
const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
};

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function closedPort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The log's lines (pino JSON) that match `pattern`. */
const logLines = (process: ServerProcess, pattern: RegExp) =>
  process
    .output()
    .stdout.split('\n')
    .filter((line) => pattern.test(line));

describe('Telegram trouble in the log and on /readyz, as `npm start` runs (PGlite)', () => {
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  let fake: FakeTelegram | undefined;
  afterEach(async () => {
    await server?.stop();
    await fake?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    server = fake = dataDir = undefined;
  });
  const start = (env: Record<string, string>) => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-readiness-'));
    server = spawnServer({ DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, ...env });
    return server;
  };

  it('Telegram unreachable: "connecting" with the reason and the next try within 5 s; /readyz 503', async () => {
    const apiRoot = `http://127.0.0.1:${await closedPort()}`;
    const process = start({
      TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-an-unreachable-api',
      TELEGRAM_API_ROOT: apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      READINESS_TELEGRAM_GRACE_SECONDS: '0',
    });
    const url = await process.listening;
    const listeningAt = Date.now();
    const pattern = new RegExp(
      `Telegram: connecting to ${apiRoot.replaceAll('.', '\\.')} failed \\(ECONNREFUSED\\); next try in 5 s`,
    );
    await eventually(async () => logLines(process, pattern).length > 0, 5_000);
    expect(Date.now() - listeningAt).toBeLessThan(5_000);
    expect(logLines(process, pattern)[0]).not.toContain('"stack"');

    const { status, body } = await readyz(url);
    expect(status).toBe(503);
    expect(body.status).toBe('not_ready');
    expect(body.components.database).toMatchObject({ ok: true });
    expect(body.components.telegram).toMatchObject({
      ok: false,
      state: 'connecting',
      reason: 'ECONNREFUSED',
      attempts: 1,
    });
    expect(Date.parse(body.components.telegram.since)).not.toBeNaN();
    expect(Date.parse(body.components.telegram.next_retry_at)).toBeGreaterThan(Date.now() - 1000);
    expect(body.problems.join('\n')).toMatch(/^telegram: cannot reach Telegram \(ECONNREFUSED\)/m);
    // Liveness is another matter: the process is fine.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // The retry 5 s later is logged with the doubled backoff.
    await eventually(
      async () => logLines(process, /failed \(ECONNREFUSED\); next try in 10 s/).length,
      9_000,
    );
    expect(JSON.stringify(process.output())).not.toContain('TEST-token-for-an-unreachable-api');
    // Room for a real process's start on a fresh PGlite data directory on a busy 2-core machine (5–15 s)
    // before the 5 s + 10 s of retries this test waits through.
  }, 60_000);

  it('a token Telegram refuses: one line of advice without a stack, no retries; /readyz 503', async () => {
    fake = await startFakeTelegram();
    const process = start({
      TELEGRAM_BOT_TOKEN: '123456:not-the-token-telegram-knows',
      TELEGRAM_API_ROOT: fake.apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
    });
    const url = await process.listening;
    const pattern =
      /Telegram refused TELEGRAM_BOT_TOKEN \(401 Unauthorized\): check the token from @BotFather/;
    await eventually(async () => logLines(process, pattern).length > 0, 5_000);
    const [line] = logLines(process, pattern);
    expect(line).not.toContain('"stack"');
    expect(line).not.toContain('"err"');

    const { status, body } = await readyz(url);
    expect(status).toBe(503);
    expect(body.components.telegram).toMatchObject({
      ok: false,
      state: 'refused',
      reason: '401 Unauthorized',
    });
    expect(body.problems).toContainEqual(
      expect.stringMatching(/^telegram: Telegram refused TELEGRAM_BOT_TOKEN/),
    );
    expect(fake.callsOf('getMe')).toHaveLength(1);
  }, 30_000);
});

describe(`/readyz and the delivery backlog (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    await fake?.close();
    app = undefined;
  });

  it('without a bot token: ready when the database is', async () => {
    fake = await startFakeTelegram();
    app = await startTestApp();
    const { status, body } = await readyz(app.url);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ready',
      problems: [],
      components: {
        database: { ok: true, status: 'ok' },
        telegram: { ok: true, state: 'not configured' },
      },
    });
  });

  it('Telegram up, group bound, nothing waiting: 200 with every component ok', async () => {
    fake = await startFakeTelegram();
    app = await startTestApp(fakeSupportGroup(fake, GROUP, [ALICE]));
    const { status, body } = await readyz(app.url);
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.components.telegram).toMatchObject({
      ok: true,
      state: 'connected',
      username: fake.botUser.username,
    });
    expect(body.components.support_group).toEqual({ ok: true, bound: true, chat_id: GROUP });
    expect(body.components.deliveries).toMatchObject({ ok: true, waiting: 0, oldest_seconds: null });
    expect(body.components.webhook).toBeUndefined();
  });

  it('no support group bound: 503 naming it', async () => {
    fake = await startFakeTelegram();
    const { SUPPORT_GROUP_CHAT_ID: _none, ...env } = fakeSupportGroup(fake, GROUP, [ALICE]);
    app = await startTestApp(env);
    const { status, body } = await readyz(app.url);
    expect(status).toBe(503);
    expect(body.components.support_group).toMatchObject({ ok: false, bound: false });
    expect(body.problems).toEqual([
      expect.stringMatching(/^support_group: no support group bound: .*\/setup/),
    ]);
    // The setup code is for the server's log only.
    expect(JSON.stringify(body)).not.toMatch(/\/setup [A-Za-z0-9]{6,}/);
  });

  it('getMe that never answers: "connecting" within the connect timeout, not after minutes', async () => {
    fake = await startFakeTelegram();
    fake.hang({ methods: ['getMe'] });
    app = await startTestApp(fakeSupportGroup(fake, GROUP, [ALICE]), { waitForTelegram: false });
    const current = app;
    const telegram = await eventually(async () => {
      const { body } = await readyz(current.url);
      return body.components.telegram.reason ? body.components.telegram : undefined;
    }, 6_000);
    expect(telegram).toMatchObject({ state: 'connecting', reason: 'no answer within 4 s' });
    fake.clearFaults();
  }, 20_000);

  it('webhook mode: Telegram’s webhook info, 503 while no webhook is set', async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE]),
      BOT_MODE: 'webhook',
      WEBHOOK_SECRET: 'webhook-secret-0123456789',
    });
    const { status, body } = await readyz(app.url);
    expect(status).toBe(503);
    expect(body.components.webhook).toMatchObject({ ok: false, url_set: false, pending_update_count: 0 });
    expect(body.problems).toEqual([expect.stringMatching(/^webhook: no webhook set/)]);
  });

  it('deliveries backing up: counted with the oldest age on /readyz (503 past the threshold), the agent API and /queue', async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE]),
      DELIVERY_DELAY_ALERT_SECONDS: '1',
    });
    await agentsStartTheBot(fake, [ALICE]);
    const current = app;
    const agentApi = (path: string) =>
      fetch(`${current.url}/api/agent${path}`, { headers: tma(signInitData(fake.token, ALICE)) }).then(
        async (response) => ({ status: response.status, body: await response.json() }),
      );
    expect((await agentApi('/deliveries')).body).toEqual({
      waiting: 0,
      oldest_seconds: null,
      delayed: false,
    });

    // The group stops taking messages: the first card hangs in flight, the next ones wait behind it.
    fake.hang({ methods: ['sendMessage'], when: (params) => Number(params.chat_id) === GROUP });
    for (const text of ['First', 'Second', 'Third'])
      await (await newVisitor(app.url)).say(`${text} question`);

    const delayed = await eventually(async () => {
      const { status, body } = await readyz(current.url);
      return status === 503 ? body : undefined;
    }, 15_000);
    expect(delayed.components.deliveries).toMatchObject({ ok: false, waiting: 2, alert_after_seconds: 1 });
    expect(delayed.components.deliveries.oldest_seconds).toBeGreaterThanOrEqual(1);
    expect(delayed.problems).toEqual([
      expect.stringMatching(/^deliveries: 2 Telegram deliveries waiting, the oldest for \d+ s$/),
    ]);

    const banner = await agentApi('/deliveries');
    expect(banner.status).toBe(200);
    expect(banner.body).toMatchObject({ waiting: 2, delayed: true });
    expect(banner.body.oldest_seconds).toBeGreaterThanOrEqual(1);

    fake.sendText({ from: ALICE.id, text: '/queue' });
    const reply = await fake.waitFor(
      () => fake.sentTo(ALICE.id).find((m: { text?: string }) => m.text?.includes('Waiting for an agent')),
      { timeoutMs: 10_000 },
    );
    expect(reply.text).toMatch(
      /^⚠️ Deliveries to Telegram are delayed: 2 waiting, the oldest for \d+ s\n\n🕓/,
    );

    // Telegram takes messages again: the backlog drains and the product is ready again.
    fake.clearFaults();
    await eventually(async () => (await readyz(current.url)).status === 200, 20_000);
    expect((await agentApi('/deliveries')).body).toMatchObject({ waiting: 0, delayed: false });
  }, 60_000);
});
