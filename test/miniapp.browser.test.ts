import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import type { TelegramUser } from './support/init-data.ts';
import { DARK_THEME, miniAppLaunchUrl, requireBuiltMiniApp } from './support/miniapp.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 3001, first_name: 'Alice', username: 'alice' };
const EVE = { id: 3003, first_name: 'Eve', username: 'eve' };

type Sent = { message_id: number; text?: string };
type TelegramCall = [method: string, params: unknown];
declare global {
  interface Window {
    telegramCalls: TelegramCall[];
    Telegram: { WebView: { receiveEvent: (event: string, data: unknown) => void } };
  }
}

// A 1×1 PNG.
const PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * The Mini App, built (`npm run build`) and served by the real server, in Chromium as Telegram Desktop
 * launches it: the launch parameters (signed initData, theme, version, platform) in the URL fragment and
 * the `TelegramWebviewProxy` bridge, here recording what the app asks of Telegram.
 */
describe(`the Mini App in Chromium (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;

  const cardOf = (ticketId: number) =>
    fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticketId}`) && !m.text.startsWith('⏰')) as
      | Sent
      | undefined;

  const launchUrl = (user: TelegramUser, options?: Parameters<typeof miniAppLaunchUrl>[3]) =>
    miniAppLaunchUrl(app.url, fake.token, user, options);

  /** A page as Telegram Desktop's webview: `TelegramWebviewProxy.postEvent` is how the app calls Telegram. */
  const openMiniApp = async (url: string) => {
    const context = await browser.newContext({ viewport: { width: 420, height: 860 }, deviceScaleFactor: 1 });
    await context.addInitScript(() => {
      window.telegramCalls = [];
      (window as unknown as { TelegramWebviewProxy: object }).TelegramWebviewProxy = {
        postEvent: (method: string, params: string | undefined) =>
          window.telegramCalls.push([method, params ? JSON.parse(params) : undefined]),
      };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    return { page, errors };
  };
  const telegramCalls = (page: Page) => page.evaluate(() => window.telegramCalls);
  const calledTelegram = async (page: Page, method: string, params?: object) =>
    eventually(async () =>
      (await telegramCalls(page)).some(
        ([name, given]) =>
          name === method && (params === undefined || JSON.stringify(given) === JSON.stringify(params)),
      ),
    );

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    fake.addGroup({ id: GROUP, title: 'Support team' });
    fake.addUser(ALICE);
    fake.addUser(EVE);
    fake.setChatMember(GROUP, ALICE.id, 'administrator');
    app = await startTestApp({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      TELEGRAM_THROTTLE: 'false',
      RATE_LIMIT_MESSAGES: '50',
    });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('queue → ticket → claim → reply → close, live against the real server and the fake Bot API', async () => {
    const { page, errors } = await openMiniApp(launchUrl(ALICE));
    await page.getByRole('tab', { name: 'Unclaimed (0)', selected: true }).waitFor();
    await page.getByText('● Live').waitFor();
    await screenshot(page, 'miniapp', '01-queue-empty');

    // A visitor writes on the website; the ticket appears in the open app, live.
    const visitor = await newVisitor(app.url, { locale: 'fr-FR', referer: 'https://shop.example.com/cart' });
    const sent = await visitor.say('Bonjour, my parcel is late', 'Billing');
    const ticketId = sent.ticket.id;
    const card = await fake.waitFor(() => cardOf(ticketId), { timeoutMs: 15_000 });
    const queueCard = page.getByRole('button', { name: /my parcel is late/ });
    await queueCard.waitFor();
    await expect(queueCard.textContent()).resolves.toContain(`#${ticketId} · Billing`);
    await expect(queueCard.textContent()).resolves.toMatch(/waiting \d+ (s|min)/);
    await screenshot(page, 'miniapp', '02-queue-with-ticket');

    // Open it: the conversation and who the visitor is; Telegram's back button appears.
    await queueCard.click();
    await page.getByRole('button', { name: 'Claim' }).waitFor();
    await page.getByText('fr-FR').waitFor();
    await page.getByText('https://shop.example.com/cart').waitFor();
    await calledTelegram(page, 'web_app_setup_back_button', { is_visible: true });
    await screenshot(page, 'miniapp', '03-ticket-unclaimed');

    // Claim: the group card is edited, the visitor sees the agent, the agent is connected in the DM.
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Yours').waitFor();
    await calledTelegram(page, 'web_app_trigger_haptic_feedback', {
      type: 'notification',
      notification_type: 'success',
    });
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('claimed by @alice'), { timeoutMs: 15_000 });
    expect(fake.callsOf('editMessageText').some((call) => call.params.message_id === card.message_id)).toBe(
      true,
    );
    const claimed = await eventually(async () => {
      const conversation = await visitor.conversation();
      return conversation.ticket?.status === 'claimed' ? conversation : null;
    });
    expect(claimed.ticket?.agent_name).toBe('Alice');
    await fake.waitFor(
      () => fake.sentTo(ALICE.id).find((m: Sent) => m.text?.includes(`connected to #${ticketId}`)),
      {
        timeoutMs: 15_000,
      },
    );
    await page.getByText('Alice joined the conversation').waitFor();

    // Reply from the app: it reaches the visitor. The visitor's answer shows up live.
    await page.getByRole('textbox', { name: 'Reply' }).fill('Bonjour! Let me look at your order.');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = await eventually(async () =>
      (await visitor.messages('agent')).find((m) => m.body === 'Bonjour! Let me look at your order.'),
    );
    expect(reply.agent_name).toBe('Alice');
    // The box empties once the app has the server's answer (the visitor may have the reply before that).
    await eventually(async () => (await page.getByRole('textbox', { name: 'Reply' }).inputValue()) === '');
    await visitor.say('Merci! Order 1234.');
    await page.getByText('Merci! Order 1234.').waitFor();
    // A visitor's image shows in the conversation (fetched with the agent's initData).
    const form = new FormData();
    form.set('file', new File([Buffer.from(PIXEL_PNG, 'base64')], 'label.png', { type: 'image/png' }));
    form.set('body', 'The shipping label');
    const upload = await fetch(`${app.url}/api/session/${visitor.sessionId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const image = page.getByRole('img', { name: 'Attachment' });
    await image.waitFor();
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    await screenshot(page, 'miniapp', '04-ticket-conversation');

    // The agent deletes their own message (the Delete button on it): gone for the visitor, marked here.
    await page.getByRole('textbox', { name: 'Reply' }).fill('Oops, wrong ticket');
    await page.getByRole('button', { name: 'Send' }).click();
    const oops = await eventually(async () =>
      (await visitor.messages('agent')).find((m) => m.body === 'Oops, wrong ticket'),
    );
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Oops, wrong ticket' })
      .getByRole('button', { name: 'Delete this message' })
      .click();
    await eventually(async () => !(await visitor.messages('agent')).some((m) => m.id === oops.id));
    await page.getByRole('listitem').filter({ hasText: 'Oops, wrong ticket' }).getByText('Deleted').waitFor();
    // The visitor deletes one of theirs: the app shows it live, marked.
    const merci = (await visitor.messages('visitor')).find((m) => m.body === 'Merci! Order 1234.');
    const removed = await visitor.http.request(
      'DELETE',
      `/api/session/${visitor.sessionId}/messages/${merci?.id}`,
      {
        token: visitor.token,
      },
    );
    expect(removed.status).toBe(204);
    await page.getByText('Deleted by the visitor').waitFor();

    // Close with a note: the visitor gets it and sees the ticket closed; so does the card.
    await page.getByRole('button', { name: 'Close…' }).click();
    await page
      .getByRole('textbox', { name: 'Closing note' })
      .fill('Your parcel arrives tomorrow. Bonne journée!');
    await screenshot(page, 'miniapp', '05-closing');
    await page.getByRole('button', { name: 'Close ticket' }).click();
    await page.getByText(/^Closed \(Alice\)/).waitFor();
    const closed = await visitor.conversation();
    expect(closed.ticket?.status).toBe('closed');
    expect(closed.messages.slice(-2).map((m) => [m.sender, m.body])).toEqual([
      ['agent', 'Your parcel arrives tomorrow. Bonne journée!'],
      ['system', 'Conversation closed by Alice'],
    ]);
    await fake.waitFor(() => cardOf(ticketId)?.text?.includes('closed (@alice)'), { timeoutMs: 15_000 });
    await expect(page.getByRole('textbox', { name: 'Reply' }).count()).resolves.toBe(0);
    await screenshot(page, 'miniapp', '06-ticket-closed');
    // Further down: what the app knows of the visitor, and their data (export, erase).
    await page.getByRole('button', { name: 'Erase visitor…' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'miniapp', '06b-visitor-data');

    // Telegram's back button (pressed in the client) returns to the queue, which no longer lists it.
    await page.evaluate(() => window.Telegram.WebView.receiveEvent('back_button_pressed', undefined));
    await page.getByRole('tab', { name: 'All open (0)' }).waitFor();
    await calledTelegram(page, 'web_app_setup_back_button', { is_visible: false });

    // Today: the closed ticket, the first reply's time, after the visitor's rating.
    await visitor.http.post(`/api/tickets/${ticketId}/rating`, { token: visitor.token, json: { rating: 5 } });
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByText('Median time to first reply').waitFor();
    await page.getByText('★ 5.0').waitFor();
    await expect(page.locator('[data-stat="closed"]').textContent()).resolves.toMatch(/Tickets closed\s*1$/);
    await expect(page.locator('[data-stat="first-reply"]').textContent()).resolves.toMatch(
      /over 1 first reply/,
    );
    await screenshot(page, 'miniapp', '07-today');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('is themed from Telegram’s theme parameters (night theme)', async () => {
    const visitor = await newVisitor(app.url);
    await visitor.say('Dark mode question');
    const { page } = await openMiniApp(launchUrl(ALICE, { theme: DARK_THEME }));
    await page.getByRole('button', { name: /Dark mode question/ }).waitFor();
    const colours = await page.evaluate(() => ({
      variable: getComputedStyle(document.documentElement).getPropertyValue('--tg-theme-bg-color').trim(),
      text: getComputedStyle(document.body).color,
    }));
    expect(colours.variable.toLowerCase()).toBe(DARK_THEME.bg_color);
    expect(colours.text).toBe('rgb(245, 245, 245)');
    await screenshot(page, 'miniapp', '08-queue-dark');
    await page.context().close();
  });

  it('without the event stream (a proxy that drops it), falls back to polling and still shows new tickets', async () => {
    const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
    await context.addInitScript(() => {
      (window as unknown as { TelegramWebviewProxy: object }).TelegramWebviewProxy = { postEvent: () => {} };
    });
    await context.route('**/api/agent/events', (route) => route.abort('connectionreset'));
    const page = await context.newPage();
    await page.goto(launchUrl(ALICE));
    await page.getByText('Reconnecting — refreshing every few seconds').waitFor();
    const visitor = await newVisitor(app.url);
    await visitor.say('Polled into view');
    await page.getByRole('button', { name: /Polled into view/ }).waitFor({ timeout: 30_000 });
    await context.close();
  }, 60_000);

  it('keeps out who is not an agent, stale launch data, and a plain browser', async () => {
    const stranger = await openMiniApp(launchUrl(EVE));
    await stranger.page.getByText('For the support team only').waitFor();
    await stranger.page.getByText('Only members of the support group can use this app').waitFor();
    await screenshot(stranger.page, 'miniapp', '09-not-an-agent');
    await stranger.page.context().close();

    const stale = await openMiniApp(launchUrl(ALICE, { ageSeconds: 2 * 86_400 }));
    await stale.page.getByText('Please reopen the app').waitFor();
    await stale.page.context().close();

    const context = await browser.newContext();
    const plain = await context.newPage();
    await plain.goto(`${app.url}/miniapp/`);
    await plain.getByText('Open this app from Telegram').waitFor();
    const page = await fetch(`${app.url}/miniapp/`);
    expect(page.headers.get('content-security-policy')).toContain('frame-ancestors');
    expect(await page.text()).not.toContain('__dev');
    await context.close();
  });
});
