import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const SHOTS = 'widget-i18n';

/**
 * Issue 14 §3 in Chromium: a Russian visitor sees the system notices (sent as codes) and the topics in
 * Russian, on a 390 px phone, with nothing in the header or the notices cut.
 */
describe(`the widget in the visitor's language (${databaseKind})`, () => {
  let app: TestApp;
  let browser: Browser;
  let hostSite: Server;
  let hostUrl: string;

  const latestTicket = async () =>
    (
      await app.orm.em
        .getConnection()
        .execute<{ id: number; category: string | null }[]>(
          'select id, category from tickets order by id desc limit 1',
        )
    )[0] as { id: number; category: string | null };

  const openChat = async (page: Page, label: string): Promise<Frame> => {
    await page.getByRole('button', { name: label }).click();
    const frame = await (await page.waitForSelector('[data-switchboard] >> iframe')).contentFrame();
    if (!frame) throw new Error('no chat frame');
    return frame;
  };
  /** Elements whose text does not fit (cut or ellipsised). */
  const cutTexts = (frame: Frame) =>
    frame.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.header__title, .header__status, .system-line')]
        .filter(
          (element) =>
            element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1,
        )
        .map((element) => element.textContent),
    );

  beforeAll(async () => {
    app = await startTestApp({
      CATEGORIES: 'general:General|ru=Общее,billing:Billing|ru=Оплата,technical:Technical|ru=Техническое',
    });
    hostSite = createServer((_request, response) => {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html lang="ru"><head><meta name="viewport" content="width=device-width, initial-scale=1">
        <script src="${app.url.replace('127.0.0.1', 'localhost')}/widget.js" async></script>
        </head><body><main><h1>Магазин</h1></main></body></html>`);
    });
    await new Promise<void>((resolve) => hostSite.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(hostSite.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => hostSite?.close(resolve));
    await app?.close();
  });

  it('a Russian visitor on a 390 px phone: Russian topics, Russian system notices, nothing cut', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'ru-RU',
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(hostUrl);
    const chat = await openChat(page, 'Открыть чат');
    await chat.getByText('Тема обращения (необязательно)').waitFor();
    for (const label of ['Общее', 'Оплата', 'Техническое'])
      await chat.getByRole('button', { name: label }).waitFor();
    await screenshot(page, SHOTS, 'ru-phone-01-topics');

    // The label is shown, the key is sent.
    await chat.getByRole('button', { name: 'Оплата' }).click();
    expect(await chat.getByRole('button', { name: 'Оплата' }).getAttribute('aria-pressed')).toBe('true');
    const box = chat.getByRole('textbox', { name: 'Сообщение' });
    await box.fill('Не проходит оплата картой');
    await box.press('Enter');
    await chat.getByText('Тема: Оплата').waitFor();
    await chat.getByText('Ждём свободного оператора…').waitFor();
    const ticket = await latestTicket();
    expect(ticket.category).toBe('billing');

    // After hours: the request for contact details, in Russian.
    await app.inContext(() => app.services.tickets.afterHours(ticket.id));
    await chat
      .getByText('Все операторы сейчас заняты. Оставьте почту или телефон — мы свяжемся с вами.')
      .waitFor();

    // An agent with a long name joins, then ends the conversation.
    const agent = await app.inContext(() =>
      app.services.agents.upsert({
        tgChatId: 5501,
        name: 'Александра Константинопольская',
        tgUsername: null,
      }),
    );
    await app.inContext(() => app.services.tickets.claim(ticket.id, agent.id));
    await chat.getByText('Александра Константинопольская теперь в чате').waitFor();
    await chat.getByText('Вам отвечает Александра Константинопольская').waitFor();
    expect(await cutTexts(chat)).toEqual([]);
    await screenshot(page, SHOTS, 'ru-phone-02-joined');

    await app.inContext(() => app.services.tickets.close(ticket.id, { kind: 'agent', agentId: agent.id }));
    await chat.getByText('Разговор завершён оператором Александра Константинопольская').waitFor();
    expect(await chat.getByText('joined the conversation').count()).toBe(0);
    expect(await chat.getByText('Conversation closed by').count()).toBe(0);
    expect(await cutTexts(chat)).toEqual([]);
    await screenshot(page, SHOTS, 'ru-phone-03-closed-by-agent');

    // A new conversation, ended by the visitor.
    await chat.getByRole('button', { name: 'Начать новый разговор' }).click();
    await box.fill('Ещё вопрос');
    await box.press('Enter');
    await chat.getByText('Ждём свободного оператора…').waitFor();
    await chat.getByRole('button', { name: 'Другие действия' }).click();
    await chat.getByRole('menuitem', { name: 'Завершить разговор' }).click();
    await chat.getByRole('button', { name: 'Да, завершить' }).click();
    await chat.getByText('Вы завершили разговор').waitFor();
    expect(await cutTexts(chat)).toEqual([]);
    await screenshot(page, SHOTS, 'ru-phone-04-closed-by-visitor');
    await context.close();
  }, 90_000);
});
