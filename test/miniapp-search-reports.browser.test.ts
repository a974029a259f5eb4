import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHash } from '../core/visitor-identity.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, type TelegramUser, tma } from './support/init-data.ts';
import { DARK_THEME, LIGHT_THEME, miniAppLaunchUrl, requireBuiltMiniApp } from './support/miniapp.ts';
import { fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567213;
const ALICE = { id: 13201, first_name: 'Alice', username: 'alice' };
const BOB = { id: 13202, first_name: 'Bob', username: 'bob' };
const SECRET = 'identity-secret-identity-secret-02';
const SHOTS = 'miniapp-search-reports';
const THEMES = { light: LIGHT_THEME, dark: DARK_THEME } as const;

/**
 * Tags in the ticket view and the queue's tag filter, the Search tab, the visitor's earlier tickets and
 * the Reports tab's charts and CSV (issue 13 §5–6), in the built Mini App in Chromium, light and dark.
 */
describe(`the Mini App's tags, search and reports in Chromium (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let http: ReturnType<typeof httpClient>;
  const t = {} as Record<'old' | 'refund' | 'parcel', { visitor: Visitor; id: number }>;

  const api = (user: TelegramUser, method: string, path: string, json?: unknown) =>
    http.request(method, path, { headers: tma(signInitData(fake.token, user)), json });
  const sql = (query: string, params: unknown[] = []) => app.orm.em.getConnection().execute(query, params);

  const open = async (user: TelegramUser, theme: keyof typeof THEMES = 'light') => {
    const context = await browser.newContext({
      viewport: { width: 420, height: 900 },
      deviceScaleFactor: 1,
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
      colorScheme: theme,
      acceptDownloads: true,
    });
    await context.addInitScript(() => {
      (window as unknown as { TelegramWebviewProxy: object }).TelegramWebviewProxy = { postEvent: () => {} };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(miniAppLaunchUrl(app.url, fake.token, user, { theme: THEMES[theme] }));
    await page.getByRole('tab', { name: /Unclaimed/ }).waitFor();
    return { page, errors };
  };
  const form = (page: Page) => page.locator('.sb-search-form');
  /** Telegram's back button. */
  const pressBack = (page: Page) =>
    page.evaluate(() =>
      (
        window as unknown as { Telegram: { WebView: { receiveEvent: (event: string) => void } } }
      ).Telegram.WebView.receiveEvent('back_button_pressed'),
    );
  const tab = (page: Page, name: string) =>
    page.locator('.sb-tabbar').getByText(name, { exact: true }).click();

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    const env = fakeSupportGroup(fake, GROUP, [ALICE, BOB]);
    app = await startTestApp({ ...env, RATE_LIMIT_MESSAGES: '50', IDENTITY_SECRET: SECRET });
    http = httpClient(app.url);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('Reports with nothing yet: every chart says so', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { page, errors } = await open(ALICE, theme);
      await tab(page, 'Reports');
      await page.getByText('Opened and closed per day').waitFor();
      expect(await page.getByText('No tickets in this period').count()).toBeGreaterThanOrEqual(5);
      await page.getByText('No tickets closed in this period').waitFor();
      await screenshot(page, SHOTS, `01-reports-empty-${theme}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 120_000);

  it('tags in the ticket view (add, remove, a bad one explained), the queue filter, the visitor’s earlier tickets', async () => {
    // Ada wrote once from her laptop, signed in there with her work account, then with her own on her
    // phone: both identities have her email (an after-hours contact email alone would link nothing).
    const laptop = await newVisitor(app.url);
    t.old = {
      visitor: laptop,
      id: (await laptop.say('My invoice from March is wrong', 'Billing')).ticket.id,
    };
    await laptop.http.post(`/api/session/${laptop.sessionId}/identify`, {
      token: laptop.token,
      json: {
        id: 'user-ada-work',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        hash: identityHash(SECRET, 'user-ada-work'),
      },
    });
    await api(BOB, 'POST', `/api/agent/tickets/${t.old.id}/close`);
    const phone = await newVisitor(app.url);
    await phone.http.post(`/api/session/${phone.sessionId}/identify`, {
      token: phone.token,
      json: {
        id: 'user-ada',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        hash: identityHash(SECRET, 'user-ada'),
      },
    });
    t.refund = {
      visitor: phone,
      id: (await phone.say('I was charged twice, please refund the second payment', 'Billing')).ticket.id,
    };
    const other = await newVisitor(app.url);
    t.parcel = {
      visitor: other,
      id: (await other.say('Where is my parcel? The tracking page is empty')).ticket.id,
    };
    await api(BOB, 'POST', `/api/agent/tickets/${t.parcel.id}/tags`, { tags: ['shipping'] });

    for (const theme of ['light', 'dark'] as const) {
      const { page, errors } = await open(ALICE, theme);
      await page.locator(`[data-ticket-id="${t.refund.id}"]`).waitFor();
      if (theme === 'light') {
        await page.locator(`[data-ticket-id="${t.refund.id}"]`).click();
        await page.getByRole('list', { name: 'Tags' }).getByText('No tags yet').waitFor();
        // A bad tag: explained on the screen, nothing sent.
        await page.getByLabel('New tags').fill('vip no!way');
        await page.getByRole('button', { name: 'Add', exact: true }).click();
        await page.getByRole('alert').filter({ hasText: 'Tag “no!way” may contain only letters' }).waitFor();
        expect((await api(ALICE, 'GET', `/api/agent/tickets/${t.refund.id}/tags`)).body.tags).toEqual([]);
        await page.getByLabel('New tags').fill('VIP, refund #billing');
        await page.getByRole('button', { name: 'Add', exact: true }).click();
        await page.getByRole('button', { name: 'Remove tag billing' }).waitFor();
        await page.getByRole('button', { name: 'Remove tag billing' }).click();
        await eventually(
          async () =>
            JSON.stringify((await api(ALICE, 'GET', `/api/agent/tickets/${t.refund.id}/tags`)).body.tags) ===
            '["vip","refund"]',
        );
        await page.getByRole('button', { name: 'Remove tag billing' }).waitFor({ state: 'detached' });
        await pressBack(page);
      }
      // The queue's tag filter.
      await page
        .getByRole('toolbar', { name: 'Filter by tag' })
        .getByRole('button', { name: /#vip/ })
        .waitFor();
      await page.getByRole('tab', { name: /All open/ }).click();
      await page.locator(`[data-ticket-id="${t.parcel.id}"]`).waitFor();
      await page.getByRole('button', { name: /#vip/ }).click();
      await page.locator(`[data-ticket-id="${t.parcel.id}"]`).waitFor({ state: 'detached' });
      await page.locator(`[data-ticket-id="${t.refund.id}"]`).waitFor();
      await screenshot(page, SHOTS, `02-queue-tag-filter-${theme}`);
      await page.getByRole('button', { name: 'All', exact: true }).click();
      await page.locator(`[data-ticket-id="${t.parcel.id}"]`).waitFor();

      // The ticket: its tags, and Ada's ticket from her laptop among her earlier ones; it opens.
      await page.locator(`[data-ticket-id="${t.refund.id}"]`).click();
      await page.getByRole('button', { name: 'Remove tag vip' }).waitFor();
      const earlier = page.locator('.sb-earlier');
      await earlier.getByText('My invoice from March is wrong').waitFor();
      await page.getByRole('list', { name: 'Tags' }).scrollIntoViewIfNeeded();
      await screenshot(page, SHOTS, `03-ticket-tags-${theme}`);
      await earlier.scrollIntoViewIfNeeded();
      await screenshot(page, SHOTS, `04-ticket-earlier-${theme}`);
      await earlier.locator(`[data-ticket-id="${t.old.id}"]`).click();
      await page.getByText('Closed', { exact: false }).first().waitFor();
      await page.getByText('My invoice from March is wrong').first().waitFor();
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 120_000);

  it('Search: words with the match marked, filters, opening a result', async () => {
    await api(ALICE, 'POST', `/api/agent/tickets/${t.refund.id}/claim`);
    await api(ALICE, 'POST', `/api/agent/tickets/${t.refund.id}/messages`, {
      body: 'Your refund is on its way, Ada.',
    });
    for (const theme of ['light', 'dark'] as const) {
      const { page, errors } = await open(BOB, theme);
      await tab(page, 'Search');
      await page.getByLabel('Words in the conversation').fill('refund');
      await form(page).getByRole('button', { name: 'Search' }).click();
      const result = page.locator(`.sb-search-result[data-ticket-id="${t.refund.id}"]`);
      await result.waitFor();
      expect(await result.locator('mark').allTextContents()).toEqual(['refund']);
      await result.getByText('#vip').waitFor();
      expect(await page.locator('.sb-search-result').count()).toBe(1);
      await screenshot(page, SHOTS, `05-search-${theme}`);
      // By email: both of Ada's tickets, newest first.
      await page.getByLabel('Words in the conversation').fill('');
      await page.getByLabel('Email').fill('ada@example');
      await form(page).getByRole('button', { name: 'Search' }).click();
      await eventually(async () => (await page.locator('.sb-search-result').count()) === 2);
      expect(
        await page
          .locator('.sb-search-result')
          .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-ticket-id')))),
      ).toEqual([t.refund.id, t.old.id]);
      // Only Alice's: she answered the refund ticket, the laptop one was nobody's.
      await page.getByLabel('Agent').selectOption({ label: 'Alice' });
      await form(page).getByRole('button', { name: 'Search' }).click();
      await eventually(async () => (await page.locator('.sb-search-result').count()) === 1);
      await page.locator(`.sb-search-result[data-ticket-id="${t.refund.id}"]`).waitFor();
      await page.getByLabel('Agent').selectOption({ label: 'Anyone' });
      // Nothing: said so.
      await page.getByLabel('Email').fill('nobody@example.com');
      await form(page).getByRole('button', { name: 'Search' }).click();
      await page.getByText('Nothing found').waitFor();
      await page.getByLabel('Email').fill('ada@example');
      await form(page).getByRole('button', { name: 'Search' }).click();
      await page.locator(`.sb-search-result[data-ticket-id="${t.old.id}"]`).click();
      await page.getByText('My invoice from March is wrong').first().waitFor();
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 120_000);

  it('Reports: charts of the last 7 days in the agent’s time zone, and the CSV download', async () => {
    const agents = {
      alice: (await api(ALICE, 'GET', '/api/agent/me')).body.agent.id as number,
      bob: (await api(BOB, 'GET', '/api/agent/me')).body.agent.id as number,
    };
    // A week of closed tickets: on day d (0 = today) at 09:00 + d h UTC, first reply after (d + 1) × 2 min,
    // closed after (d + 1) × 40 min, alternating agents and categories, rated d % 5 + 1 (not on day 3).
    for (let d = 0; d < 7; d += 1) {
      for (let n = 0; n <= d % 3; n += 1) {
        const session = randomUUID();
        const created = new Date(Date.now() - d * 86_400_000);
        created.setUTCHours(6 + d + n, 0, 0, 0);
        if (created.getTime() > Date.now()) created.setTime(Date.now() - 3_600_000);
        const agent = (d + n) % 2 ? agents.bob : agents.alice;
        await sql('insert into support_sessions (id) values (?)', [session]);
        const [row] = (await sql(
          `insert into tickets (session_id, status, category, assigned_agent_id, created_at, closed_at, rating)
           values (?, 'closed', ?, ?, ?, ?, ?) returning id`,
          [
            session,
            d % 2 ? 'Technical' : 'Billing',
            agent,
            created.toISOString(),
            new Date(Math.min(Date.now(), created.getTime() + (d + 1) * 2_400_000)).toISOString(),
            d === 3 ? null : (d % 5) + 1,
          ],
        )) as { id: number }[];
        await sql(
          `insert into messages (ticket_id, session_id, sender, agent_id, body, created_at) values (?, ?, 'agent', ?, 'Hi', ?)`,
          [row?.id, session, agent, new Date(created.getTime() + (d + 1) * 120_000).toISOString()],
        );
      }
    }
    for (const theme of ['light', 'dark'] as const) {
      const { page, errors } = await open(ALICE, theme);
      await tab(page, 'Reports');
      await page.getByRole('img', { name: 'Opened and closed per day' }).waitFor();
      expect(await page.getByText('No tickets in this period').count()).toBe(0);
      await page.getByRole('img', { name: 'Ratings of closed tickets' }).waitFor();
      await page.getByRole('img', { name: /New tickets by weekday and hour \(Europe\/Berlin\)/ }).waitFor();
      expect(await page.locator('.sb-reports figure').count()).toBe(7);
      await page.getByText('Europe/Berlin').first().waitFor();
      await screenshot(page, SHOTS, `06-reports-top-${theme}`);
      await page.getByRole('img', { name: 'Ratings of closed tickets' }).scrollIntoViewIfNeeded();
      await screenshot(page, SHOTS, `07-reports-bottom-${theme}`);
      if (theme === 'light') {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download CSV' }).click(),
        ]);
        expect(download.suggestedFilename()).toMatch(
          /^switchboard-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
        );
        const csv = readFileSync((await download.path()) as string, 'utf8');
        expect(csv.split('\r\n').slice(0, 2)).toEqual([
          'report,from,to,time zone',
          expect.stringMatching(/^Switchboard,\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2},Europe\/Berlin$/),
        ]);
        expect(csv).toContain('agent,first response tickets');
        // The 90-day period asks again.
        await page.getByRole('tab', { name: '90 days' }).click();
        await page.getByRole('img', { name: 'Opened and closed per day' }).waitFor();
      }
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 120_000);
});
