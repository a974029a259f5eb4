import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 2001, first_name: 'Alice', username: 'alice' };
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

type Sent = { message_id: number; text?: string; caption?: string; photo?: unknown };

/**
 * The visitor widget in Chromium against the real server (built by `npm run build`), with agents on the
 * fake Telegram Bot API: the demo page, a host page on another origin, and the chat's states.
 */
describe(`the visitor widget in Chromium (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let hostSite: Server;
  let hostUrl: string;

  const cardOf = (ticketId: number) =>
    fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`) && !m.text.startsWith('⏰')) as
      | Sent
      | undefined;
  const agentSaw = (pattern: RegExp) =>
    fake.waitFor(() => fake.sentTo(ALICE.id).find((m: Sent) => pattern.test(m.text ?? m.caption ?? '')), {
      timeoutMs: 15_000,
    });
  const ticketRow = (id: number) =>
    app.orm.em
      .getConnection()
      .execute<{ status: string; category: string; rating: number | null; rating_comment: string | null }[]>(
        'select status, category, rating, rating_comment from tickets where id = ?',
        [id],
      )
      .then((rows) => rows[0]);

  /** Opens the chat from a page's launcher and returns the chat's frame. */
  const openChat = async (page: Page): Promise<Frame> => {
    await page.getByRole('button', { name: 'Open chat' }).click();
    const frameElement = await page.waitForSelector('[data-switchboard] >> iframe');
    const frame = await frameElement.contentFrame();
    if (!frame) throw new Error('no chat frame');
    await frame.waitForLoadState();
    return frame;
  };
  const newPage = async (context?: BrowserContext) => {
    const page = await (context ?? (await browser.newContext())).newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    return page;
  };
  /** A ticket id from the chat's own session (the widget keeps it in its origin's localStorage). */
  const latestTicketId = async () => {
    const rows = await app.orm.em
      .getConnection()
      .execute<{ id: number }[]>('select max(id) as id from tickets');
    return Number(rows[0]?.id);
  };
  const claimAsAlice = async (ticketId: number) => {
    const card = await fake.waitFor(() => cardOf(ticketId), { timeoutMs: 15_000 });
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await agentSaw(new RegExp(`connected to (<b>)?#${ticketId}`));
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE], { status: 'administrator' }),
      CATEGORIES: 'General,Billing,Technical',
      RATE_LIMIT_MESSAGES: '50',
    });
    await agentsStartTheBot(fake, [ALICE]);

    // Somebody else's website: another origin, with global CSS that would wreck an unprotected widget.
    hostSite = createServer((_request, response) => {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html><head><style>
        * { font-size: 40px !important; color: red !important; background: yellow !important;
            font-family: "Comic Sans MS", cursive !important; line-height: 3 !important }
        button { display: none !important; } iframe { opacity: 0.1 !important; width: 10px !important }
        div { transform: rotate(10deg) !important; }
      </style><script src="${app.url.replace('127.0.0.1', 'localhost')}/widget.js" async data-color="#0f766e"></script>
      </head><body><h1>Hostile host</h1></body></html>`);
    });
    await new Promise<void>((resolve) => hostSite.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(hostSite.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => hostSite?.close(resolve));
    await app?.close();
    await fake?.close();
  });

  it('serves the demo site at / with the one-line embed, and the loader within its budget', async () => {
    const demo = await fetch(`${app.url}/`);
    expect(demo.status).toBe(200);
    const html = await demo.text();
    expect(html).toContain('<script src="/widget.js" async');
    const loader = await fetch(`${app.url}/widget.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(loader.headers.get('content-type')).toMatch(/javascript/);
    const chat = await fetch(`${app.url}/widget/`);
    expect(chat.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(chat.headers.get('x-frame-options')).toBeNull();
  });

  it('chat from the demo page: category, message, ticket; the agent reply appears live; reload keeps it', async () => {
    const context = await browser.newContext();
    const page = await newPage(context);
    await page.goto(`${app.url}/`);
    await screenshot(page, 'widget', '01-demo-page');
    const chat = await openChat(page);

    await chat.getByRole('button', { name: 'Billing' }).click();
    await screenshot(page, 'widget', '02-category-picked');
    await chat
      .getByRole('textbox', { name: 'Message' })
      .fill('My invoice is wrong, see https://example.com/inv/7');
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByText('Waiting for an agent…').waitFor();
    // The link is clickable, safely.
    const link = chat.getByRole('link', { name: 'https://example.com/inv/7' });
    expect(await link.getAttribute('rel')).toContain('noopener');

    const ticketId = await latestTicketId();
    expect(await ticketRow(ticketId)).toMatchObject({ status: 'open', category: 'Billing' });
    await claimAsAlice(ticketId);
    await chat.getByText('Connected to Alice').waitFor();

    fake.sendText({ from: ALICE.id, text: 'Hi! Let me look at invoice 7.' });
    await chat.getByText('Hi! Let me look at invoice 7.').waitFor();
    await screenshot(page, 'widget', '03-agent-replied');

    await page.reload();
    const again = await openChat(page);
    await again.getByText('Hi! Let me look at invoice 7.').waitFor();
    await again.getByText('My invoice is wrong, see').waitFor();
    expect(await again.getByText('Connected to Alice').count()).toBe(1);

    // Attachment: preview, upload, shown in the chat, and sent on to the agent.
    await again
      .locator('input[type=file]')
      .setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    await again.locator('.composer__file img').waitFor();
    await again.getByRole('textbox', { name: 'Message' }).fill('Here is the receipt');
    await again.getByRole('button', { name: 'Send' }).click();
    const image = again.locator('.message--mine img');
    await image.waitFor();
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    await fake.waitFor(
      () =>
        fake
          .callsOf('sendPhoto')
          .find(
            (call: { params: { chat_id?: unknown } }) => String(call.params.chat_id) === String(ALICE.id),
          ),
      {
        timeoutMs: 15_000,
      },
    );
    await screenshot(page, 'widget', '04-attachment');

    // Closing shows the rating; the rating is stored; a new conversation can start.
    await again.getByRole('button', { name: 'More actions' }).click();
    await again.getByRole('menuitem', { name: 'End conversation' }).click();
    await again.getByRole('button', { name: 'Yes, end it' }).click();
    await again.getByText('How did we do?').waitFor();
    await screenshot(page, 'widget', '05-rating');
    await again.getByRole('button', { name: '4 of 5 stars' }).click();
    await again.getByRole('textbox', { name: 'Comment (optional)' }).fill('Quick and kind');
    await again.getByRole('button', { name: 'Send rating' }).click();
    await again.getByText('Thank you for your feedback!').waitFor();
    expect(await ticketRow(ticketId)).toMatchObject({
      status: 'closed',
      rating: 4,
      rating_comment: 'Quick and kind',
    });
    await again.getByRole('button', { name: 'Start a new conversation' }).click();
    await again.getByText('What is it about? (optional)').waitFor();
    await context.close();
  }, 90_000);

  it('on a host page of another origin, global CSS changes neither the launcher nor the chat', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/`);
    const chatOnDemo = await openChat(page);
    await chatOnDemo.getByRole('button', { name: 'General' }).click();
    const styleOf = (frame: Frame) =>
      frame.getByRole('textbox', { name: 'Message' }).evaluate((element) => {
        const style = getComputedStyle(element);
        return { fontSize: style.fontSize, color: style.color, fontFamily: style.fontFamily };
      });
    const clean = await styleOf(chatOnDemo);

    const hostile = await newPage();
    await hostile.goto(hostUrl);
    const launcher = hostile.getByRole('button', { name: 'Open chat' });
    const box = await launcher.boundingBox();
    expect(box).toMatchObject({ width: 56, height: 56 });
    const chat = await openChat(hostile);
    await chat.getByRole('button', { name: 'General' }).click();
    expect(await styleOf(chat)).toEqual(clean);
    const frameBox = await (await hostile.waitForSelector('[data-switchboard] >> iframe')).boundingBox();
    expect(frameBox?.width).toBe(380);
    await screenshot(hostile, 'widget', '06-hostile-host-page');

    // The host page's API: the chat can be closed and opened from the page's own scripts.
    await hostile.evaluate(() => window.Switchboard?.close());
    await hostile.getByRole('button', { name: 'Open chat' }).waitFor();
    await hostile.evaluate(() => window.Switchboard?.toggle());
    await hostile.getByRole('button', { name: 'Close chat' }).waitFor();
  }, 60_000);

  it('counts agent replies that arrive while the chat is closed, on the launcher and as an event', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/`);
    const chat = await openChat(page);
    await chat.getByRole('button', { name: 'General' }).click();
    await chat.getByRole('textbox', { name: 'Message' }).fill('Anyone there?');
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByText('Waiting for an agent…').waitFor();
    const ticketId = await latestTicketId();
    await claimAsAlice(ticketId);
    await chat.getByText('Connected to Alice').waitFor();
    await chat.getByText('Alice joined the conversation').waitFor(); // seen: not unread

    await page.keyboard.press('Escape'); // closes the chat, focus back on the launcher
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { unreadEvents: number[] }).unreadEvents = seen;
      window.addEventListener('switchboard:unread', (event) =>
        seen.push((event as CustomEvent).detail.count),
      );
    });
    fake.sendText({ from: ALICE.id, text: 'Yes, I am here.' });
    const events = await page.waitForFunction(() => {
      const seen = (window as unknown as { unreadEvents: number[] }).unreadEvents;
      return seen.length > 0 && seen;
    });
    expect(await events.jsonValue()).toEqual([1]);
    expect(await page.evaluate(() => window.Switchboard?.unread)).toBe(1);
    await page.locator('#unread').getByText('1 new').waitFor();
    await screenshot(page, 'widget', '07-unread-badge');
    await page.getByRole('button', { name: 'Open chat' }).press('Enter');
    await chat.getByText('Yes, I am here.').waitFor();
    await page.locator('#unread').waitFor({ state: 'hidden' });
  }, 60_000);

  it('without the event stream it polls: agent replies still arrive', async () => {
    const context = await browser.newContext();
    await context.route('**/api/session/*/events', (route) => route.abort());
    const page = await newPage(context);
    await page.goto(`${app.url}/widget/`);
    await page.getByRole('button', { name: 'Technical' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('No streaming here');
    await page.getByRole('button', { name: 'Send' }).click();
    const ticketId = await eventually(async () => {
      const id = await latestTicketId();
      return (await ticketRow(id))?.category === 'Technical' ? id : undefined;
    });
    await claimAsAlice(ticketId);
    fake.sendText({ from: ALICE.id, text: 'Polling works too.' });
    await page.getByText('Polling works too.').waitFor({ timeout: 15_000 });
    await page.getByText('Connected to Alice').waitFor();
    await context.close();
  }, 60_000);

  it('shows rate-limited, failed (with retry) and offline states for messages', async () => {
    const context = await browser.newContext();
    const page = await newPage(context);
    await page.goto(`${app.url}/widget/`);
    await page.getByRole('button', { name: 'General' }).click();

    let refuse: 'rate' | 'fail' | null = 'rate';
    await page.route('**/api/session/*/messages', async (route) => {
      const mode = refuse;
      refuse = null;
      if (mode === 'rate') {
        await route.fulfill({
          status: 429,
          headers: { 'Retry-After': '2', 'Content-Type': 'application/json' },
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many messages' } }),
        });
      } else if (mode === 'fail') {
        await route.fulfill({
          status: 503,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ error: { code: 'service_unavailable', message: 'Down for a moment' } }),
        });
      } else {
        await route.continue();
      }
    });
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('first try is rate limited');
    await box.press('Enter');
    await page.getByText(/Too many messages. Retrying in \d s/).waitFor();
    await screenshot(page, 'widget', '08-rate-limited');
    await page.getByText('Waiting for an agent…').waitFor({ timeout: 10_000 });

    refuse = 'fail';
    await box.fill('this one fails once');
    await box.press('Enter');
    await page.getByText('Down for a moment').waitFor();
    await screenshot(page, 'widget', '09-failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page
      .locator('.message--mine', { hasText: 'this one fails once' })
      .locator('.message__meta')
      .getByText(/\d:\d\d/)
      .waitFor();

    await context.setOffline(true);
    await page.getByText('You are offline', { exact: false }).first().waitFor();
    await box.fill('written offline');
    await box.press('Enter');
    await screenshot(page, 'widget', '10-offline');
    await context.setOffline(false);
    await eventually(async () => {
      const rows = await app.orm.em
        .getConnection()
        .execute<{ n: number }[]>("select count(*)::int as n from messages where body = 'written offline'");
      return rows[0]?.n === 1;
    });
    await context.close();
  }, 60_000);

  it('is keyboard-usable, full-screen on a phone, and speaks Russian when asked', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await newPage(context);
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).focus();
    await page.keyboard.press('Enter');
    const frameElement = await page.waitForSelector('[data-switchboard] >> iframe');
    const chat = await frameElement.contentFrame();
    await chat
      ?.getByRole('textbox', { name: 'Message' })
      .or(chat.getByRole('button', { name: 'General' }))
      .first()
      .waitFor();
    expect(await frameElement.boundingBox()).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
    await screenshot(page, 'widget', '11-phone');
    await chat?.getByRole('button', { name: 'Close chat' }).click();
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    await context.close();

    const russian = await newPage();
    await russian.goto(`${app.url}/widget/?lang=ru`);
    await russian.getByRole('button', { name: 'Billing' }).click();
    await russian.getByRole('textbox', { name: 'Сообщение' }).waitFor();
    // With nothing typed the microphone stands where Send will be (as in Telegram).
    await russian.getByRole('button', { name: 'Записать голосовое сообщение' }).waitFor();
    await russian.getByRole('textbox', { name: 'Сообщение' }).fill('Привет');
    await russian.getByRole('button', { name: 'Отправить' }).waitFor();
  }, 60_000);
});
