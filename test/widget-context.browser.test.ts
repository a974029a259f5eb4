import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHash } from '../core/visitor-identity.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { signInitData } from './support/init-data.ts';
import { openMiniAppAs, requireBuiltMiniApp } from './support/miniapp.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const GROUP = -1001234567002;
const ALICE = { id: 2101, first_name: 'Alice', username: 'alice' };
const SECRET = 'identity-secret-identity-secret-0123456789';

/**
 * Issue 14 §4 in Chromium: the host page's SPA navigation reaches the agent, `Switchboard.identify` gives
 * one conversation on two devices, and a hidden tab's title announces a new agent message.
 */
describe(`who the visitor is and where they are, in Chromium (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let hostSite: Server;
  let hostUrl: string;

  const agentApi = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.url}/api/agent${path}`, {
      method,
      headers: {
        authorization: `tma ${signInitData(fake.token, ALICE)}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  };
  /** Polls until `check` returns a value (no fixed sleeps). */
  const until = async <T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`condition not met in time: ${check}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const openChat = async (page: Page): Promise<Frame> => {
    await page.getByRole('button', { name: 'Open chat' }).click();
    const frame = await (await page.waitForSelector('[data-switchboard] >> iframe')).contentFrame();
    if (!frame) throw new Error('no chat frame');
    await frame.waitForLoadState();
    return frame;
  };
  const say = async (chat: Frame, text: string) => {
    await chat.getByRole('textbox', { name: 'Message' }).fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByText(text).first().waitFor();
  };
  const ticketOf = (text: string) =>
    until(async () => {
      const rows = await app.orm.em
        .getConnection()
        .execute<{ ticket_id: number }[]>('select ticket_id from messages where body = ?', [text]);
      return rows[0]?.ticket_id;
    });
  const newPage = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const context: BrowserContext = await browser.newContext(options);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    return page;
  };

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE], { status: 'administrator' }),
      IDENTITY_SECRET: SECRET,
      RATE_LIMIT_MESSAGES: '50',
    });
    await agentsStartTheBot(fake, [ALICE]);
    // The host site: a single-page shop on another origin. `?user=` signs that user in: its server
    // computes the identity hash with the secret it shares with Switchboard.
    hostSite = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://host');
      const user = url.searchParams.get('user');
      const identify = user
        ? `<script>addEventListener('load', () => Switchboard.identify(${JSON.stringify({
            id: user,
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            hash: identityHash(SECRET, user),
          })}))</script>`
        : '';
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html lang="en"><head><title>Shoes — Shop</title>
        <script src="${app.url.replace('127.0.0.1', 'localhost')}/widget.js" async data-sound="on"></script>${identify}
        </head><body><h1>Shop</h1></body></html>`);
    });
    await new Promise<void>((resolve) => hostSite.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(hostSite.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => hostSite?.close(resolve));
    await app?.close();
    await fake?.close();
  });

  it('SPA navigation with pushState reaches the agent: the current page, UTM, time zone', async () => {
    const page = await newPage({ timezoneId: 'Europe/Berlin' });
    await page.goto(`${hostUrl}/shoes?utm_source=newsletter&utm_campaign=spring`, {
      referer: 'https://search.example/?q=shoes',
    });
    const chat = await openChat(page);
    await say(chat, 'Do you have these in 44?');
    const ticketId = await ticketOf('Do you have these in 44?');

    await page.evaluate(() => {
      history.pushState({}, '', '/checkout?step=2');
      document.title = 'Checkout — Shop';
    });
    const visitor = await until(async () => {
      const { body } = await agentApi('GET', `/tickets/${ticketId}`);
      return body.visitor?.page?.url?.endsWith('/checkout?step=2') &&
        body.visitor.page.title === 'Checkout — Shop'
        ? body.visitor
        : undefined;
    });
    expect(visitor).toMatchObject({
      page: { url: `${hostUrl}/checkout?step=2`, title: 'Checkout — Shop' },
      utm: { source: 'newsletter', campaign: 'spring' },
      time_zone: 'Europe/Berlin',
      referrer: 'https://search.example/?q=shoes',
      identity: null,
    });

    // Back: popstate is heard too, and the title the app sets just after it.
    await page.evaluate(() => {
      addEventListener('popstate', () => (document.title = 'Shoes — Shop'), { once: true });
      history.back();
    });
    await until(async () => {
      const { body } = await agentApi('GET', `/tickets/${ticketId}`);
      return (
        body.visitor?.page?.url === `${hostUrl}/shoes?utm_source=newsletter&utm_campaign=spring` &&
        body.visitor.page.title === 'Shoes — Shop'
      );
    });

    // The agent's Mini App shows it in the visitor panel.
    const miniApp = await openMiniAppAs(browser, app.url, fake.token, ALICE);
    await miniApp.getByRole('button', { name: /Do you have these in 44/ }).click();
    const link = miniApp.getByRole('link', { name: 'Shoes — Shop' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(
      `${hostUrl}/shoes?utm_source=newsletter&utm_campaign=spring`,
    );
    await miniApp.getByText('source: newsletter · campaign: spring').waitFor();
    await miniApp.getByText('Europe/Berlin').waitFor();
    await miniApp.locator('.sb-visitor').scrollIntoViewIfNeeded();
    await screenshot(miniApp, 'widget-context', '01-miniapp-visitor-page');
    await miniApp.context().close();
    await page.context().close();
  }, 120_000);

  it('Switchboard.identify on two browsers with the same id shows one conversation', async () => {
    const laptop = await newPage();
    await laptop.goto(`${hostUrl}/account?user=u-1001`);
    const laptopChat = await openChat(laptop);
    await say(laptopChat, 'Hello from my laptop');
    // The conversation became the identity's.
    await until(async () => {
      const rows = await app.orm.em
        .getConnection()
        .execute<{ n: number }[]>(
          "select count(*)::int as n from support_sessions where external_id = 'u-1001'",
        );
      return rows[0]?.n === 1;
    });

    const phone = await newPage({ viewport: { width: 800, height: 700 } });
    await phone.goto(`${hostUrl}/account?user=u-1001`);
    const phoneChat = await openChat(phone);
    // The phone's chat switches to the identity's session: the laptop's message is there.
    await phoneChat.getByText('Hello from my laptop').waitFor({ timeout: 20_000 });
    await say(phoneChat, 'And now from my phone');
    await laptopChat.getByText('And now from my phone').waitFor({ timeout: 20_000 });
    await screenshot(phone, 'widget-context', '02-identified-second-device');

    const ticketId = await ticketOf('Hello from my laptop');
    expect(await ticketOf('And now from my phone')).toBe(ticketId);
    const { body } = await agentApi('GET', `/tickets/${ticketId}`);
    expect(body.visitor.identity).toEqual({ id: 'u-1001', name: 'Ada Lovelace', email: 'ada@example.com' });

    // Someone on another browser without the right hash stays anonymous, in their own conversation.
    const stranger = await newPage();
    await stranger.goto(`${hostUrl}/account`);
    const strangerChat = await openChat(stranger);
    await stranger.evaluate(() =>
      window.Switchboard?.identify({ id: 'u-1001', hash: '0'.repeat(64) } as never),
    );
    await say(strangerChat, 'I am somebody else');
    expect(await ticketOf('I am somebody else')).not.toBe(ticketId);
    expect(await strangerChat.getByText('Hello from my laptop').count()).toBe(0);

    // The Mini App shows who the visitor is.
    const miniApp = await openMiniAppAs(browser, app.url, fake.token, ALICE);
    await miniApp.getByRole('button', { name: /Hello from my laptop/ }).click();
    await miniApp.getByText('ada@example.com').waitFor();
    await miniApp.getByText('Ada Lovelace').waitFor();
    await miniApp.locator('.sb-visitor').scrollIntoViewIfNeeded();
    await screenshot(miniApp, 'widget-context', '03-miniapp-identified');

    // The site's user logs out on the laptop: the chat forgets the conversation and starts an anonymous
    // one; logging in again brings the history back.
    await laptop.evaluate(() => window.Switchboard?.logout());
    await until(async () => (await laptopChat.getByText('Hello from my laptop').count()) === 0);
    await say(laptopChat, 'Logged out now');
    expect(await ticketOf('Logged out now')).not.toBe(ticketId);
    await laptop.goto(`${hostUrl}/account?user=u-1001`);
    const again = await openChat(laptop);
    await again.getByText('And now from my phone').waitFor({ timeout: 20_000 });

    // A logout on a page where the chat was never opened counts too: the next page's chat starts anonymous.
    await laptop.goto(`${hostUrl}/help`);
    await laptop.waitForFunction(() => Boolean(window.Switchboard));
    await laptop.evaluate(() => window.Switchboard?.logout());
    await laptop.goto(`${hostUrl}/help`);
    const fresh = await openChat(laptop);
    await fresh.getByText('Hi! Ask us anything').waitFor();
    await fresh.getByRole('textbox', { name: 'Message' }).waitFor();
    await say(fresh, 'A new person here');
    expect(await ticketOf('A new person here')).not.toBe(ticketId);
    expect(await fresh.getByText('And now from my phone').count()).toBe(0);
    for (const open of [laptop, phone, stranger, miniApp]) await open.context().close();
  }, 120_000);

  it('a hidden tab shows a new agent message in its title, restored when visible', async () => {
    const page = await newPage();
    await page.goto(`${hostUrl}/help`);
    const chat = await openChat(page);
    await say(chat, 'Anyone there?');
    const ticketId = await ticketOf('Anyone there?');
    expect((await agentApi('POST', `/tickets/${ticketId}/claim`)).status).toBe(200);
    // The claim's notice is in view before the tab is hidden: it is not one of the unread messages.
    await chat.getByText(/joined the conversation/).waitFor();

    // The visitor switches to another tab.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect((await agentApi('POST', `/tickets/${ticketId}/messages`, { body: 'Yes, hello!' })).status).toBe(
      201,
    );
    await page.waitForFunction(() => document.title === '(1) New message — Shoes — Shop');

    // Back on the tab: the page's own title again.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForFunction(() => document.title === 'Shoes — Shop');
    await chat.getByText('Yes, hello!').waitFor();
    await page.context().close();
  }, 120_000);
});
