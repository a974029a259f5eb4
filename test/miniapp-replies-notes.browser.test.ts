import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, type TelegramUser, tma } from './support/init-data.ts';
import { DARK_THEME, LIGHT_THEME, miniAppLaunchUrl, requireBuiltMiniApp } from './support/miniapp.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1005550003333;
const ALICE = { id: 5001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 5002, first_name: 'Bob', username: 'bob' };

/**
 * Canned replies and internal notes in the built Mini App (Chromium, light and dark): managing the team's
 * snippets, the reply box's picker filling a snippet for the ticket, and notes in the conversation.
 */
describe(`the Mini App's canned replies and notes in Chromium (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;

  const open = async (user: TelegramUser, theme: object) => {
    const context = await browser.newContext({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
    await context.addInitScript(() => {
      (window as unknown as { TelegramWebviewProxy: object }).TelegramWebviewProxy = { postEvent: () => {} };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(miniAppLaunchUrl(app.url, fake.token, user, { theme }));
    return { page, errors };
  };

  /** A claimed ticket of Alice's: a visitor's message in `category`, claimed through the agent API. */
  const aliceTicket = async (body: string, category: string) => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say(body, category);
    const http = httpClient(app.url);
    const claimed = await http.post(`/api/agent/tickets/${ticket.id}/claim`, {
      headers: tma(signInitData(fake.token, ALICE)),
    });
    expect(claimed.status).toBe(200);
    return { visitor, ticketId: ticket.id };
  };

  /** Telegram's back button (the app shows it; the client reports the press as an event). */
  const pressTelegramBack = (page: Page) =>
    page.evaluate(() =>
      (
        window as unknown as {
          Telegram: { WebView: { receiveEvent: (event: string, data: unknown) => void } };
        }
      ).Telegram.WebView.receiveEvent('back_button_pressed', undefined),
    );

  const openTicket = async (page: Page, body: string) => {
    await page.getByRole('tab', { name: /^Mine/ }).click();
    await page.getByRole('button', { name: new RegExp(body) }).click();
    await page.getByText('Yours').waitFor();
  };

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    app = await startTestApp({ ...fakeSupportGroup(fake, GROUP, [ALICE, BOB]), RATE_LIMIT_MESSAGES: '50' });
    await agentsStartTheBot(fake, [ALICE, BOB]);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('manages the team’s replies, inserts one filled for the ticket, and shows notes among the messages (light)', async () => {
    const { visitor, ticketId } = await aliceTicket('My invoice shows the wrong amount', 'Billing');
    const { page, errors } = await open(ALICE, LIGHT_THEME);
    await openTicket(page, 'wrong amount');

    // The picker starts empty and leads to the management screen.
    await page.getByRole('button', { name: '⚡ Canned replies' }).click();
    await page.getByText('No canned replies yet').waitFor();
    await page.getByRole('button', { name: 'Manage replies…' }).click();
    await page.getByRole('button', { name: 'Add reply' }).click();
    const form = page.getByRole('form', { name: 'New canned reply' });
    await form.getByLabel('Title').fill('Invoice fix');
    await form.getByLabel('Category').selectOption('Billing');
    await form.getByLabel('Text').fill('Hi ');
    await form.getByRole('button', { name: '{visitor_name}' }).click();
    await form.getByLabel('Text').press('End');
    await form.getByLabel('Text').pressSequentially(', I corrected invoice #');
    await form.getByRole('button', { name: '{ticket_id}' }).click();
    await expect(form.getByLabel('Text').inputValue()).resolves.toBe(
      'Hi {visitor_name}, I corrected invoice # {ticket_id}',
    );
    await form.getByLabel('Text').fill('Hi {visitor_name}, I corrected invoice #{ticket_id}. — {agent_name}');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('listitem', { name: 'Invoice fix' }).waitFor();

    // A bad placeholder is refused with the server's words; nothing is saved.
    await page.getByRole('button', { name: 'Add reply' }).click();
    const second = page.getByRole('form', { name: 'New canned reply' });
    await second.getByLabel('Title').fill('Greeting');
    await second.getByLabel('Text').fill('Hello {visitor_nmae}!');
    await second.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .getByText(/unknown placeholder \{visitor_nmae\}/)
      .waitFor();
    await screenshot(page, 'miniapp-replies-notes', 'light-01-manage-error');
    await second.getByLabel('Text').fill('Hello {visitor_name|friend}, how can I help?');
    await second.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('listitem', { name: 'Greeting' }).waitFor();
    // Enabled again and faded in (telegram-ui's opacity transition), before the picture.
    await eventually(() =>
      page
        .getByRole('button', { name: 'Add reply' })
        .evaluate(
          (button) => !(button as HTMLButtonElement).disabled && getComputedStyle(button).opacity === '1',
        ),
    );
    await screenshot(page, 'miniapp-replies-notes', 'light-02-manage-list');

    // Edit and delete (with a confirmation).
    await page.getByRole('button', { name: 'Edit Greeting' }).click();
    await page.getByRole('form', { name: 'Edit canned reply' }).getByLabel('Title').fill('Greeting (short)');
    await page.getByRole('form', { name: 'Edit canned reply' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('listitem', { name: 'Greeting (short)' }).waitFor();
    await page.getByRole('button', { name: 'Add reply' }).click();
    const third = page.getByRole('form', { name: 'New canned reply' });
    await third.getByLabel('Title').fill('Scratch');
    await third.getByLabel('Text').fill('to be deleted');
    await third.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Delete Scratch' }).click();
    await page
      .getByRole('group', { name: 'Confirm deletion' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByRole('listitem', { name: 'Scratch' }).waitFor({ state: 'detached' });

    // Back to the ticket: the picker offers the Billing reply first, filled for this ticket.
    await pressTelegramBack(page);
    await page.getByText('Yours').waitFor();
    await page.getByRole('button', { name: '⚡ Canned replies' }).click();
    const list = page.getByRole('list', { name: 'Canned replies' });
    await list.getByRole('button').first().waitFor();
    const titles = await list.getByRole('button').allTextContents();
    expect(titles[0]).toContain('Invoice fix');
    await screenshot(page, 'miniapp-replies-notes', 'light-03-picker');
    await page.getByRole('searchbox', { name: 'Find a canned reply' }).fill('help');
    await expect(list.getByRole('button').count()).resolves.toBe(1);
    await page.getByRole('searchbox', { name: 'Find a canned reply' }).fill('');
    await list.getByRole('button', { name: /Invoice fix/ }).click();
    const expected = `Hi there, I corrected invoice #${ticketId}. — Alice`;
    await expect(page.getByRole('textbox', { name: 'Reply' }).inputValue()).resolves.toBe(expected);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await eventually(async () => (await visitor.messages('agent')).some((m) => m.body === expected));

    // A note: among the messages, marked, with author and time; never the visitor's.
    await page.getByRole('button', { name: '📝 Add note' }).click();
    await page.getByRole('textbox', { name: 'Internal note' }).fill('Refund approved by finance (ref F-22)');
    await page.getByRole('button', { name: 'Save note' }).click();
    const note = page.getByRole('listitem', { name: 'Internal note by Alice' });
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain('Refund approved by finance');
    await page.getByRole('button', { name: '📝 Add note' }).waitFor();
    await screenshot(page, 'miniapp-replies-notes', 'light-04-note-in-conversation');
    expect(JSON.stringify(await visitor.conversation())).not.toContain('finance');
    expect(errors).toEqual([]);
  });

  it('the same screens in the dark theme, with a note from a colleague', async () => {
    const { ticketId } = await aliceTicket('The app crashes on start', 'Technical');
    const http = httpClient(app.url);
    const added = await http.post(`/api/agent/tickets/${ticketId}/notes`, {
      headers: tma(signInitData(fake.token, BOB)),
      json: { body: 'Known issue on v2.3: ask for the device model' },
    });
    expect(added.status).toBe(201);
    const { page, errors } = await open(ALICE, DARK_THEME);
    await openTicket(page, 'crashes on start');
    await page.getByRole('listitem', { name: 'Internal note by Bob' }).waitFor();
    await page.getByRole('button', { name: '⚡ Canned replies' }).click();
    await page.getByRole('list', { name: 'Canned replies' }).getByRole('button').first().waitFor();
    await screenshot(page, 'miniapp-replies-notes', 'dark-01-picker-and-note');
    await page.getByRole('button', { name: '📝 Add note' }).click();
    await page.getByRole('textbox', { name: 'Internal note' }).fill('Asked for the model');
    await screenshot(page, 'miniapp-replies-notes', 'dark-02-adding-note');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.getByRole('listitem', { name: 'Internal note by Alice' }).waitFor();
    await page.getByRole('button', { name: 'Manage replies…' }).click();
    await page.getByRole('button', { name: 'Add reply' }).click();
    await screenshot(page, 'miniapp-replies-notes', 'dark-03-manage');
    expect(errors).toEqual([]);
  });
});
