import { afterAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor } from './support/visitor.ts';

let fake: FakeTelegram;
let app: TestApp;
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

describe('starting while Telegram is unreachable', () => {
  it('serves visitors at once and connects the bot when Telegram is back', async () => {
    fake = await startFakeTelegram();
    fake.addUser({ id: 2001, first_name: 'Dana' });
    fake.fail({ status: 502, methods: ['getMe'], count: 2 });
    app = await startTestApp(
      { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_THROTTLE: 'false' },
      { waitForTelegram: false },
    );
    expect(app.telegram).toBeUndefined();
    const visitor = await newVisitor(app.url);
    expect((await visitor.say('Is anyone there?')).ticket.status).toBe('open');

    // The bot keeps trying (5 s, then 10 s later) and then answers as usual.
    fake.sendText({ from: 2001, text: '/start' });
    const reply = await fake.waitFor(() => fake.sentTo(2001)[0], { timeoutMs: 30_000 });
    expect(reply).toBeDefined();
    expect(fake.calls.some((call) => call.method === 'getMe' && call.status === 502)).toBe(true);
  }, 60_000);
});
