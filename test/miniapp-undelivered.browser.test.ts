import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { openMiniAppAs, requireBuiltMiniApp } from './support/miniapp.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 5001, first_name: 'Alice', username: 'alice' };
const TIMEOUT = { timeoutMs: 20_000 };

type Sent = { message_id: number; text?: string };

/**
 * A visitor message Telegram refused for good never reaches the agent's DM: the Mini App is where the
 * agent reads it, marked with Telegram's reason, and Today counts it.
 */
describe(`the Mini App shows what Telegram refused (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    app = await startTestApp(fakeSupportGroup(fake, GROUP, [ALICE], { status: 'administrator' }));
    await agentsStartTheBot(fake, [ALICE]);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('marks the refused message "Not delivered to Telegram" with the reason', async () => {
    const visitor = await newVisitor(app.url);
    const ticketId = (await visitor.say('Hello, my invoice is wrong')).ticket.id;
    const card = await fake.waitFor(
      () => fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}\n`)),
      TIMEOUT,
    );
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await fake.waitFor(
      () => fake.sentTo(ALICE.id).some((m: Sent) => m.text?.includes(`connected to #${ticketId}`)),
      TIMEOUT,
    );
    fake.refuse({
      methods: ['sendMessage'],
      status: 400,
      description: 'Bad Request: message text is empty',
      when: (params) => String(params.text).includes('Here is the order number'),
    });
    await visitor.say('Here is the order number: 1234');
    await visitor.say('Can you see it?');
    await fake.waitFor(
      () => fake.sentTo(ALICE.id).some((m: Sent) => m.text?.endsWith('Can you see it?')),
      TIMEOUT,
    );

    const page = await openMiniAppAs(browser, app.url, fake.token, ALICE);
    await page.getByRole('tab', { name: /^Mine/ }).click();
    await page.getByRole('button', { name: /my invoice is wrong/ }).click();
    await page.getByText('Not delivered to Telegram: Bad Request: message text is empty').waitFor();
    await page.getByText('Can you see it?').waitFor();
    await screenshot(page, 'miniapp', '10-ticket-undelivered');

    // Back to the queue (Telegram's back button), then Today counts it.
    await page.evaluate(() =>
      (
        window as unknown as { Telegram: { WebView: { receiveEvent: (event: string) => void } } }
      ).Telegram.WebView.receiveEvent('back_button_pressed'),
    );
    await page.getByRole('button', { name: 'Today' }).click();
    await page.locator('[data-stat="undeliverable"]', { hasText: '1' }).waitFor();
    await screenshot(page, 'miniapp', '11-today-undelivered');
    await page.context().close();
  });
});
