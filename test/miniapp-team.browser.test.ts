import { sign } from '@telegram-apps/init-data-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, type TelegramUser, tma } from './support/init-data.ts';
import { DARK_THEME, LIGHT_THEME, requireBuiltMiniApp } from './support/miniapp.ts';
import { fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567113;
const ALICE = { id: 13101, first_name: 'Alice', username: 'alice' };
const BOB = { id: 13102, first_name: 'Bob', username: 'bob' };

/**
 * The Mini App's Team screen (issue 13 §1, §5) and the group card's "Open in app" deep link (§6), built
 * (`npm run build`) and served by the real server, in Chromium as Telegram Desktop launches it.
 */
describe(`the Mini App's Team screen and deep links in Chromium (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let http: ReturnType<typeof httpClient>;

  /**
   * The launch URL Telegram builds for a Mini App link with `startapp=…`: the parameter in the launch
   * parameters (tgWebAppStartParam) and, signed, in initData's start_param.
   */
  const launchUrl = (
    user: TelegramUser,
    { theme = LIGHT_THEME, startParam }: { theme?: object; startParam?: string } = {},
  ) => {
    const initData = sign(
      {
        user: { ...user, language_code: 'en', allows_write_to_pm: true },
        chat_instance: '-7000000000001',
        chat_type: 'supergroup',
        ...(startParam ? { start_param: startParam } : {}),
      },
      fake.token,
      new Date(),
    );
    const launch = new URLSearchParams({
      tgWebAppData: initData,
      tgWebAppVersion: '8.0',
      tgWebAppPlatform: 'tdesktop',
      tgWebAppThemeParams: JSON.stringify(theme),
      ...(startParam ? { tgWebAppStartParam: startParam } : {}),
    });
    return `${app.url}/miniapp/#${launch}`;
  };

  const open = async (url: string) => {
    const context = await browser.newContext({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
    await context.addInitScript(() => {
      (window as unknown as { TelegramWebviewProxy: object }).TelegramWebviewProxy = { postEvent: () => {} };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(url);
    return { page, errors };
  };
  const api = (user: TelegramUser, path: string) =>
    http.get(path, { headers: tma(signInitData(fake.token, user)) });
  const me = async (user: TelegramUser) =>
    (await api(user, '/api/agent/team')).body.members.find((m: { me: boolean }) => m.me);
  const openTeam = async (page: Page) => {
    await page.getByRole('tab', { name: /Unclaimed/ }).waitFor();
    await page.getByText('Team', { exact: true }).click();
    await page.getByRole('tablist', { name: 'Your status' }).waitFor();
  };

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    const env = fakeSupportGroup(fake, GROUP, [ALICE, BOB]);
    fake.setChatMember(GROUP, ALICE.id, 'administrator');
    app = await startTestApp({
      ...env,
      CATEGORY_SKILLS: 'Billing:billing|payments',
      RATE_LIMIT_MESSAGES: '50',
    });
    http = httpClient(app.url);
    browser = await launchChromium();
    // Bob has used the app before: he is on the team list, with a skill.
    await http.request('PUT', '/api/agent/team/me/skills', {
      headers: tma(signInitData(fake.token, BOB)),
      json: { skills: ['tech'] },
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('the Team tab: the toggle, skills and working hours of one’s own; everyone’s state, skills and load', async () => {
    const { page, errors } = await open(launchUrl(ALICE));
    await openTeam(page);
    await page.getByText('Team · 0 online').waitFor();
    await page.getByText('Bob', { exact: true }).waitFor();
    await screenshot(page, 'miniapp-team', '01-team-offline');

    // Online with the toggle: the server agrees, the list counts her.
    await page.getByRole('tab', { name: 'Online' }).click();
    await page.getByText('Team · 1 online').waitFor();
    expect(await me(ALICE)).toMatchObject({ state: 'online', chosen: 'online' });

    // A suggested skill (from CATEGORY_SKILLS) and one typed in.
    await page.getByRole('button', { name: '+ billing' }).click();
    await page.getByRole('button', { name: 'Remove billing' }).waitFor();
    await page.getByLabel('Your skills: new skill').fill('Refunds');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Remove refunds' }).waitFor();
    expect((await me(ALICE)).skills).toEqual(['billing', 'refunds']);

    // Working hours in Tokyo, weekdays (the defaults), 10:00–19:00.
    await page.getByLabel('Time zone').fill('Asia/Tokyo');
    await page.getByLabel('From').fill('10:00');
    await page.getByLabel('To').fill('19:00');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByRole('button', { name: 'Turn off' }).waitFor();
    expect(await me(ALICE)).toMatchObject({
      time_zone: 'Asia/Tokyo',
      working_hours: [1, 2, 3, 4, 5].map((day) => ({ day, start: '10:00', end: '19:00' })),
    });

    // A wrong time zone: a clear error on the screen, nothing saved.
    await page.getByLabel('Time zone').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByRole('alert').filter({ hasText: 'time zone' }).waitFor();
    expect((await me(ALICE)).time_zone).toBe('Asia/Tokyo');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByLabel('Time zone').fill('Asia/Tokyo');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'miniapp-team', '02-team-light');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await screenshot(page, 'miniapp-team', '03-team-light-list');

    // An admin edits a teammate's skills from the list.
    await page.locator('[data-agent-id] button').filter({ hasText: 'Bob' }).click();
    await page.getByLabel('Bob’s skills: new skill').fill('billing');
    await page.getByLabel('Bob’s skills: new skill').press('Enter');
    await eventually(async () => (await me(BOB)).skills.includes('billing'));
    expect(errors).toEqual([]);
  });

  it('the Team screen in the dark theme', async () => {
    const { page, errors } = await open(launchUrl(BOB, { theme: DARK_THEME }));
    await openTeam(page);
    await page.getByText('Alice', { exact: true }).waitFor();
    // Bob is no admin: teammates' rows are not buttons.
    expect(await page.locator('[data-agent-id] button').count()).toBe(0);
    await screenshot(page, 'miniapp-team', '04-team-dark');
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await screenshot(page, 'miniapp-team', '05-team-dark-list');
    expect(errors).toEqual([]);
  });

  it('"Open in app" (startapp=ticket-N) opens that ticket; its priority is set there', async () => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('My invoice is wrong', 'Billing');
    for (const [name, theme] of [
      ['light', LIGHT_THEME],
      ['dark', DARK_THEME],
    ] as const) {
      const { page, errors } = await open(launchUrl(ALICE, { theme, startParam: `ticket-${ticket.id}` }));
      await page.getByRole('button', { name: 'Claim' }).waitFor();
      await page.getByText(`#${ticket.id} · Billing`).waitFor();
      await page.getByText('My invoice is wrong').first().waitFor();
      if (name === 'light') {
        await page.getByRole('tab', { name: 'High priority' }).click();
        await eventually(async () => {
          const view = await api(ALICE, `/api/agent/tickets/${ticket.id}`);
          return view.body.ticket.priority === 'high';
        });
      }
      await page.getByRole('tab', { name: 'High priority', selected: true }).waitFor();
      await screenshot(page, 'miniapp-team', `06-deep-link-ticket-${name}`);
      expect(errors).toEqual([]);
    }
    // Back in the queue, the high-priority ticket is marked.
    const { page } = await open(launchUrl(ALICE));
    await page.locator(`[data-ticket-id="${ticket.id}"]`).getByText('High').waitFor();
    await screenshot(page, 'miniapp-team', '07-queue-high-priority');
  });

  it('a link to a ticket that does not exist says so', async () => {
    const { page } = await open(launchUrl(ALICE, { startParam: 'ticket-99999999' }));
    await page.getByText('Ticket #99999999 does not exist').waitFor();
    // A start parameter that is not a ticket opens the queue.
    const other = await open(launchUrl(ALICE, { startParam: 'hello' }));
    await other.page.getByRole('tab', { name: /Unclaimed/ }).waitFor();
  });
});
