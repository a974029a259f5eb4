import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_WORDING } from '../contract/system-wording.ts';
import { chat as englishChat, launcher as englishLauncher } from '../widget/i18n/en.ts';
import { chat as russianChat, launcher as russianLauncher } from '../widget/i18n/ru.ts';
import { contrastRatio, parseColor } from '../widget/theme/contrast.ts';
import { launchChromium } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const LANGUAGES = {
  en: { chat: englishChat, launcher: englishLauncher, text: 'Hello, my order has not arrived yet' },
  ru: { chat: russianChat, launcher: russianLauncher, text: 'Здравствуйте, мой заказ ещё не пришёл' },
} as const;
const THEMES = ['light', 'dark'] as const;
const STATES = ['first open', 'waiting', 'connected', 'end?', 'rating'] as const;
const MATRIX = resolve(import.meta.dirname, '../test-artifacts/widget-matrix');

/**
 * Issue 14's screenshot matrix: every main state of a conversation, light and dark, English and Russian,
 * on a 390×844 phone, checked for what a person would notice (text cut or overflowing, the page
 * scrolling sideways, unreadable text) and put side by side in one contact sheet
 * (test-artifacts/widget-matrix/matrix.png) for people to look at.
 */
describe(`the widget's states × themes × languages on a phone (${databaseKind})`, () => {
  let app: TestApp;
  let browser: Browser;
  let hostSite: Server;
  let hostUrl: string;
  let agentChatId = 93_000;
  /** `${state}|${lang}-${theme}` → PNG. */
  const shots = new Map<string, Buffer>();

  const sql = <T>(query: string, params: unknown[] = []) =>
    app.orm.em.getConnection().execute<T[]>(query, params);

  beforeAll(async () => {
    app = await startTestApp({
      CATEGORIES: 'general:General|ru=Общее,billing:Billing|ru=Оплата,technical:Technical|ru=Техническое',
    });
    hostSite = createServer((request, response) => {
      const params = new URL(request.url ?? '/', 'http://x').searchParams;
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html lang="${params.get('lang')}"><head><meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{margin:0;font:16px Georgia,serif;background:#fafaf9;color:#1f2937}main{padding:32px}</style>
        <script src="${app.url.replace('127.0.0.1', 'localhost')}/widget.js" async data-theme="${params.get('theme')}"></script>
        </head><body><main><h1>Shop</h1></main></body></html>`);
    });
    await new Promise<void>((done) => hostSite.listen(0, '127.0.0.1', done));
    hostUrl = `http://127.0.0.1:${(hostSite.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => hostSite?.close(done));
    await app?.close();
  });

  /** What a person would notice at once, in the chat's frame. */
  const problems = (frame: Frame) =>
    frame.evaluate(() => {
      const found: string[] = [];
      const root = document.documentElement;
      if (root.scrollWidth > root.clientWidth + 1) found.push('the chat scrolls sideways');
      const texts = document.querySelectorAll<HTMLElement>(
        '.header__title, .header__status, .system-line, .chip, .categories__title, button, .message__bubble',
      );
      for (const element of texts) {
        if (element.offsetParent === null) continue; // not shown
        if (element.scrollWidth > element.clientWidth + 1)
          found.push(`cut: "${element.textContent?.trim()}"`);
      }
      return found;
    });
  /** Text colour against the nearest painted background, for the bubbles and the header. */
  const contrasts = (frame: Frame) =>
    frame.evaluate(() => {
      const backgroundOf = (element: Element | null): string => {
        for (let node = element; node; node = node.parentElement) {
          const colour = getComputedStyle(node).backgroundColor;
          if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
        }
        return 'rgb(255, 255, 255)';
      };
      return [...document.querySelectorAll<HTMLElement>('.message__body, .header__title, .system-line')]
        .filter((element) => element.offsetParent !== null)
        .map((element) => ({
          text: element.textContent?.trim().slice(0, 30) ?? '',
          colour: getComputedStyle(element).color,
          background: backgroundOf(element),
        }));
    });

  for (const lang of ['en', 'ru'] as const) {
    for (const theme of THEMES) {
      it(`${lang}, ${theme}: first open → waiting → connected → ending → rating`, async () => {
        const { chat: strings, launcher, text } = LANGUAGES[lang];
        const context = await browser.newContext({
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
          locale: lang,
        });
        const page = await context.newPage();
        page.on('pageerror', (error) => console.error('page error:', error));
        await page.goto(`${hostUrl}?lang=${lang}&theme=${theme}`);
        await page.getByRole('button', { name: launcher.open }).click();
        const frame = await (await page.waitForSelector('[data-switchboard] >> iframe')).contentFrame();
        if (!frame) throw new Error('no chat frame');

        const capture = async (state: (typeof STATES)[number]) => {
          // Fonts and images settled, then what a person would notice.
          await frame.evaluate(() => document.fonts.ready.then(() => undefined));
          expect(await problems(frame), `${state}, ${lang}, ${theme}`).toEqual([]);
          for (const { text: what, colour, background } of await contrasts(frame)) {
            const [fore, back] = [parseColor(colour), parseColor(background)];
            if (!fore || !back)
              throw new Error(`unreadable colours for "${what}": ${colour} on ${background}`);
            expect(
              contrastRatio(fore, back),
              `"${what}" (${state}, ${lang}, ${theme})`,
            ).toBeGreaterThanOrEqual(4.5);
          }
          shots.set(`${state}|${lang}-${theme}`, await page.screenshot());
        };

        const box = frame.getByRole('textbox', { name: strings.message });
        await box.waitFor();
        await capture('first open');

        await frame.getByRole('button', { name: lang === 'en' ? 'Billing' : 'Оплата' }).click();
        await box.fill(text);
        await box.press('Enter');
        await frame.getByText(strings.waiting).waitFor();
        await capture('waiting');

        const [ticket] = await sql<{ id: number }>('select id from tickets order by id desc limit 1');
        if (!ticket) throw new Error('no ticket');
        const agent = await app.inContext(() =>
          app.services.agents.upsert({ tgChatId: agentChatId++, name: 'Alice', tgUsername: null }),
        );
        await app.inContext(() => app.services.tickets.claim(ticket.id, agent.id));
        const answer =
          lang === 'en'
            ? 'Hi, I am Alice. Could you send me your order number? I will check it right away.'
            : 'Здравствуйте, я Алиса. Пришлите, пожалуйста, номер заказа — сразу проверю.';
        await app.inContext(() =>
          app.services.messages.sendAgentMessage({ ticketId: ticket.id, agentId: agent.id, body: answer }),
        );
        await frame.getByText(answer).waitFor();
        await frame.getByText(strings.connectedTo('Alice')).waitFor();
        await capture('connected');

        await frame.getByRole('button', { name: strings.moreActions }).click();
        await frame.getByRole('menuitem', { name: strings.endConversation }).click();
        await frame.getByRole('alertdialog', { name: strings.endConfirmTitle }).waitFor();
        await capture('end?');

        await frame.getByRole('button', { name: strings.endConfirm }).click();
        await frame.getByText(strings.rateTitle).waitFor();
        await frame.getByText(SYSTEM_WORDING[lang].visitor.closed_by_visitor).waitFor();
        await capture('rating');
        await context.close();
      }, 120_000);
    }
  }

  it('puts every state side by side in one contact sheet', async () => {
    const columns = ['en', 'ru'].flatMap((lang) => THEMES.map((theme) => `${lang}-${theme}`));
    expect(shots.size).toBe(STATES.length * columns.length);
    const cell = (key: string) =>
      `<td><img src="data:image/png;base64,${shots.get(key)?.toString('base64')}"></td>`;
    const html = `<!doctype html><style>
      body{margin:0;font:600 28px system-ui;background:#e5e7eb}table{border-spacing:16px}
      th{text-align:left}img{width:390px;display:block;border:1px solid #9ca3af}</style>
      <table><tr><th></th>${columns.map((column) => `<th>${column}</th>`).join('')}</tr>
      ${STATES.map((state) => `<tr><th>${state}</th>${columns.map((column) => cell(`${state}|${column}`)).join('')}</tr>`).join('')}
      </table>`;
    mkdirSync(MATRIX, { recursive: true });
    const sheet = join(MATRIX, 'matrix.html');
    writeFileSync(sheet, html);
    const page: Page = await browser.newPage({ viewport: { width: 1800, height: 900 } });
    await page.goto(`file://${sheet}`);
    await page.screenshot({ path: join(MATRIX, 'matrix.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
