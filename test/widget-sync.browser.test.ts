import type { Message } from 'grammy/types';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { signInitData, tma } from './support/init-data.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const GROUP = -1003330004444;
const ALICE = { id: 5001, first_name: 'Alice', username: 'alice' };
const WAIT = { timeout: 15_000 };
const waitLong = { timeoutMs: 15_000 };

/**
 * The conversation behaves like Telegram, seen in Chromium: edits, deletes, reactions and typing in both
 * directions between the widget and the agent's Telegram (the fake Bot API).
 */
describe('edits, deletes, reactions and typing between the widget and Telegram', () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let chat: Frame;
  let ticketId: number;

  /** The bot's copy, in Alice's chat, of the visitor's message with this text. */
  const copyOf = (text: string) =>
    fake.waitFor(
      () => fake.sentTo(ALICE.id).find((m: Message) => m.from?.is_bot && (m.text ?? '').includes(text)),
      waitLong,
    );
  const say = async (text: string) => {
    await chat.getByRole('textbox', { name: 'Message' }).fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.locator('.message--mine').filter({ hasText: text }).waitFor(WAIT);
  };
  const bubble = (text: string) => chat.locator('.message').filter({ hasText: text });
  /** Opens a message's ⋯ menu (it shows on hover or focus). */
  const menuOf = async (text: string) => {
    await bubble(text).hover();
    await bubble(text).getByRole('button', { name: 'Message actions' }).click();
    return chat.getByRole('menu', { name: 'Message actions' });
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({ ...fakeSupportGroup(fake, GROUP, [ALICE]), RATE_LIMIT_MESSAGES: '50' });
    await agentsStartTheBot(fake, [ALICE]);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1000, height: 760 } })).newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    chat = (await (await page.waitForSelector('[data-switchboard] >> iframe')).contentFrame()) as Frame;
    await say('Hello, my order is late');
    const card = await fake.waitFor(() => fake.messages(GROUP).find((m) => m.reply_markup), waitLong);
    ticketId = Number(/#(\d+)/.exec(card.text ?? '')?.[1]);
    fake.clickButton({ from: ALICE.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
    await chat.getByText('Connected to Alice').waitFor(WAIT);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('the agent edits a reply in Telegram: the visitor sees the new text, marked edited', async () => {
    const sent = fake.sendText({ from: ALICE.id, text: 'It ships tomorow' });
    await chat.getByText('It ships tomorow').waitFor(WAIT);
    fake.editText({
      from: ALICE.id,
      messageId: (sent.message as Message).message_id,
      text: 'It ships tomorrow',
    });
    await bubble('It ships tomorrow').getByText('edited').waitFor(WAIT);
    expect(await chat.getByText('It ships tomorow').count()).toBe(0);
  });

  it('reactions both ways: the agent’s shows under the visitor’s message; the visitor’s reaches Telegram', async () => {
    await say('Is there a tracking number?');
    const copy = await copyOf('Is there a tracking number?');
    fake.react({ from: ALICE.id, messageId: copy.message_id, emoji: '👍' });
    await bubble('Is there a tracking number?').locator('.reaction').filter({ hasText: '👍' }).waitFor(WAIT);

    const agentMessage = fake
      .messages(ALICE.id)
      .find((m: Message) => m.text === 'It ships tomorrow') as Message;
    const menu = await menuOf('It ships tomorrow');
    await menu.getByRole('menuitem', { name: 'React with 🔥' }).click();
    await bubble('It ships tomorrow').getByRole('button', { name: 'Remove your 🔥' }).waitFor(WAIT);
    await fake.waitFor(
      () => fake.botReactions(ALICE.id, agentMessage.message_id).some((r) => r.emoji === '🔥'),
      waitLong,
    );
    await screenshot(page, 'widget-sync', '01-reactions');
    // Taken back: gone in the widget and in Telegram.
    await bubble('It ships tomorrow').getByRole('button', { name: 'Remove your 🔥' }).click();
    await fake.waitFor(() => fake.botReactions(ALICE.id, agentMessage.message_id).length === 0, waitLong);
    expect(await bubble('It ships tomorrow').locator('.reaction').count()).toBe(0);
  });

  it('the visitor edits a recent message: the agent’s copy in Telegram changes too', async () => {
    await say('My order numbr is 1234');
    const copy = await copyOf('My order numbr is 1234');
    await (await menuOf('My order numbr is 1234')).getByRole('menuitem', { name: 'Edit' }).click();
    await chat.getByText('Editing your message').waitFor(WAIT);
    await screenshot(page, 'widget-sync', '02-editing');
    await chat.getByRole('textbox', { name: 'Message' }).fill('My order number is 1234');
    await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
    await bubble('My order number is 1234').getByText('edited').waitFor(WAIT);
    await fake.waitFor(
      () => (fake.message(ALICE.id, copy.message_id)?.text ?? '').includes('My order number is 1234'),
      waitLong,
    );
    expect(fake.message(ALICE.id, copy.message_id)?.text).toMatch(/edited/);
  });

  it('the visitor deletes a recent message: gone from the chat and from the agent’s Telegram', async () => {
    await say('Oops, wrong chat');
    const copy = await copyOf('Oops, wrong chat');
    await (await menuOf('Oops, wrong chat')).getByRole('menuitem', { name: 'Delete' }).click();
    await bubble('Oops, wrong chat').waitFor({ state: 'detached', ...WAIT });
    await fake.waitFor(() => fake.isDeleted(ALICE.id, copy.message_id), waitLong);
  });

  it('typing both ways: the visitor’s typing shows in Telegram; the agent’s in the widget', async () => {
    const before = fake.chatActions(ALICE.id).length;
    await chat.getByRole('textbox', { name: 'Message' }).fill('I am writing something long');
    await fake.waitFor(
      () =>
        fake
          .chatActions(ALICE.id)
          .slice(before)
          .some((action) => action.action === 'typing'),
      waitLong,
    );

    const initData = signInitData(fake.token, ALICE);
    const response = await fetch(`${app.url}/api/agent/tickets/${ticketId}/typing`, {
      method: 'POST',
      headers: tma(initData),
    });
    expect(response.status).toBe(204);
    await chat.getByText('Alice is typing…').waitFor(WAIT);
    await screenshot(page, 'widget-sync', '03-agent-typing');
  });

  it('without the event stream, polling still brings the agent’s edit, delete and reaction', async () => {
    // The chat is reloaded with its event stream refused: it polls `?since=` from now on.
    const polls: string[] = [];
    await page.context().route('**/api/session/*/events', (route) => route.abort());
    page.on('request', (request) => {
      if (/\/api\/session\/[^/]+\?since=\d+$/.test(request.url())) polls.push(request.url());
    });
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    chat = (await (await page.waitForSelector('[data-switchboard] >> iframe')).contentFrame()) as Frame;
    await chat.getByText('Connected to Alice').waitFor(WAIT);
    await expect.poll(() => polls.length, { timeout: 15_000 }).toBeGreaterThan(0);

    // The agent writes twice, then edits the first, deletes the second and reacts to the visitor.
    const first = fake.sendText({ from: ALICE.id, text: 'Your parcel is in Berln' });
    fake.sendText({ from: ALICE.id, text: 'Ignore this line' });
    await chat.getByText('Your parcel is in Berln').waitFor(WAIT);
    await chat.getByText('Ignore this line').waitFor(WAIT);
    await say('Thanks, polling here');
    const copy = await copyOf('Thanks, polling here');

    fake.editText({
      from: ALICE.id,
      messageId: (first.message as Message).message_id,
      text: 'Your parcel is in Berlin',
    });
    const [line] = await app.orm.em
      .getConnection()
      .execute<{ id: number }[]>(`select id from messages where body = 'Ignore this line'`);
    const initData = signInitData(fake.token, ALICE);
    const deleted = await fetch(`${app.url}/api/agent/tickets/${ticketId}/messages/${line?.id}`, {
      method: 'DELETE',
      headers: tma(initData),
    });
    expect(deleted.status).toBe(204);
    fake.react({ from: ALICE.id, messageId: copy.message_id, emoji: '👌' });

    await bubble('Your parcel is in Berlin').getByText('edited').waitFor(WAIT);
    await chat.getByText('Ignore this line').waitFor({ state: 'detached', ...WAIT });
    await bubble('Thanks, polling here').locator('.reaction').filter({ hasText: '👌' }).waitFor(WAIT);
    expect(await chat.getByText('Your parcel is in Berln').count()).toBe(0);
    // All of it came by polling: the stream was never open.
    expect(polls.length).toBeGreaterThan(1);
    await screenshot(page, 'widget-sync', '04-polling-changes');
  });
});
