import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { openMiniAppAs, requireBuiltMiniApp } from './support/miniapp.ts';
import { fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567002;
const ALICE = { id: 7101, first_name: 'Alice', username: 'alice' };

/** While deliveries to Telegram back up, the Mini App says so above the queue. */
describe(`the Mini App's delivery-delay banner (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE], { status: 'administrator' }),
      DELIVERY_DELAY_ALERT_SECONDS: '1',
    });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('shows how many deliveries wait and for how long the oldest', async () => {
    // The group takes no messages: the first card hangs, the next ones wait behind it.
    fake.hang({ methods: ['sendMessage'], when: (params) => Number(params.chat_id) === GROUP });
    for (const text of ['Where is my parcel?', 'Invoice question', 'Cannot log in'])
      await (await newVisitor(app.url)).say(text);
    // Past the (test's 1 s) threshold before the app opens: it shows the banner from its first answer.
    await eventually(async () => (await fetch(`${app.url}/readyz`)).status === 503);

    const page = await openMiniAppAs(browser, app.url, fake.token, ALICE);
    await page.getByRole('tab', { name: 'Unclaimed (3)' }).waitFor();
    const banner = page.getByRole('status').filter({ hasText: 'Deliveries to Telegram are delayed' });
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toMatch(/2 waiting, the oldest for \d+ s/);
    await screenshot(page, 'miniapp', '12-delivery-delay-banner');
    fake.clearFaults();
    await page.context().close();
  }, 60_000);
});
