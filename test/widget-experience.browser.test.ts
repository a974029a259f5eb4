import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContextOptions, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastRatio, parseColor } from '../widget/theme/contrast.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually } from './support/visitor.ts';

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
};
const SHOTS = 'widget-experience';

/**
 * Issue 14 in Chromium, against the real server with its default message rate limit: the first
 * impression (message box at once, optional topics, who answers and how soon), every state (scrolling,
 * ending, grouping, status, offline), the theme and the accent's contrast, and the loader's teaser.
 * Agents answer through core here (the Telegram side has its own tests).
 */
describe(`the widget's first impression and states in Chromium (${databaseKind})`, () => {
  let app: TestApp;
  let browser: Browser;
  let hostSite: Server;
  let hostUrl: string;
  let agentChatId = 91_000;

  const sql = <T>(query: string, params: unknown[] = []) =>
    app.orm.em.getConnection().execute<T[]>(query, params);
  const latestTicket = async () =>
    (
      await sql<{ id: number; status: string; category: string | null }>(
        'select id, status, category from tickets order by id desc limit 1',
      )
    )[0] as { id: number; status: string; category: string | null };
  /** An agent takes the latest ticket and answers (as the bot would, through core). */
  const agentAnswers = async (name: string, body: string) => {
    const ticket = await latestTicket();
    const agent = await app.inContext(() =>
      app.services.agents.upsert({ tgChatId: agentChatId++, name, tgUsername: null }),
    );
    await app.inContext(() => app.services.tickets.claim(ticket.id, agent.id));
    await app.inContext(() =>
      app.services.messages.sendAgentMessage({ ticketId: ticket.id, agentId: agent.id, body }),
    );
    return ticket.id;
  };

  /** A page of another origin embedding the loader with these data-* attributes. */
  const hostPage = (attributes: Record<string, string> = {}, lang = 'en') => {
    const query = new URLSearchParams({ ...attributes, lang });
    return `${hostUrl}?${query}`;
  };
  const newPage = async (options: BrowserContextOptions = {}) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    return { context, page };
  };
  const openChat = async (page: Page, label = 'Open chat'): Promise<Frame> => {
    await page.getByRole('button', { name: label }).click();
    const frame = await (await page.waitForSelector('[data-switchboard] >> iframe')).contentFrame();
    if (!frame) throw new Error('no chat frame');
    return frame;
  };
  /** The conversation is scrolled to its end: the newest thing is in view. */
  const atEnd = (frame: Frame | Page) =>
    frame.waitForFunction(
      () => {
        const scroll = document.querySelector('.scroll');
        return scroll !== null && scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight <= 2;
      },
      undefined,
      { timeout: 15_000 },
    );
  const overflowing = (frame: Frame | Page) =>
    frame.evaluate(() => {
      const scroll = document.querySelector('.scroll') as HTMLElement;
      return scroll.scrollHeight > scroll.clientHeight + 50;
    });
  /** A real-sized image (made by the browser's canvas). */
  const picture = async (page: Page, label: string) =>
    Buffer.from(
      await page.evaluate((text) => {
        const canvas = document.createElement('canvas');
        canvas.width = 480;
        canvas.height = 320;
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        context.fillStyle = '#0ea5e9';
        context.fillRect(0, 0, 480, 320);
        context.fillStyle = '#fff';
        context.font = 'bold 48px sans-serif';
        context.fillText(text, 40, 170);
        return canvas.toDataURL('image/png').split(',')[1] as string;
      }, label),
      'base64',
    );
  const send = async (frame: Frame | Page, text: string, box = 'Message') => {
    await frame.getByRole('textbox', { name: box }).fill(text);
    await frame.getByRole('textbox', { name: box }).press('Enter');
  };

  beforeAll(async () => {
    app = await startTestApp({ CATEGORIES: 'General,Billing,Technical' });
    // Real first-reply times for the header: answered after 3, 4 and 6 minutes → "a few minutes".
    for (const minutes of [3, 4, 6]) {
      const sessionId = await app.inContext(() => app.services.sessions.createSession({}));
      await app.inContext(() =>
        app.services.messages.sendVisitorMessage({ sessionId, body: 'earlier visitor' }),
      );
      const ticketId = await agentAnswers('Earlier Agent', 'answer');
      await sql(`update tickets set created_at = created_at - make_interval(mins => ?) where id = ?`, [
        minutes,
        ticketId,
      ]);
      await app.inContext(() => app.services.tickets.close(ticketId, { kind: 'visitor', sessionId }));
    }

    hostSite = createServer((request, response) => {
      const params = new URL(request.url ?? '/', 'http://x').searchParams;
      const lang = params.get('lang') ?? 'en';
      params.delete('lang');
      const data = [...params]
        .map(([name, value]) => ` data-${name}="${value.replace(/"/g, '&quot;')}"`)
        .join('');
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html lang="${lang}"><head><meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{margin:0;font:16px Georgia,serif;background:#fafaf9;color:#1f2937}main{padding:32px}</style>
        <script src="${app.url.replace('127.0.0.1', 'localhost')}/widget.js" async${data}></script>
        </head><body><main><h1>A light website</h1><p>Some content of the host page.</p></main></body></html>`);
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

  it('opens ready to type: optional topics that can be changed, who answers and how soon; light on a dark OS', async () => {
    // The visitor's OS prefers dark, the site is light: the chat stays light unless the site says otherwise.
    const { context, page } = await newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.goto(hostPage());
    const chat = await openChat(page);
    const box = chat.getByRole('textbox', { name: 'Message' });
    await box.waitFor();
    await eventually(() => box.isEnabled());
    await chat.getByText('Usually replies in a few minutes').waitFor();
    await chat.getByRole('heading', { name: 'Support' }).waitFor();
    await chat.getByText('Hi! Ask us anything').waitFor();
    expect(await chat.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    expect(await chat.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      'rgb(255, 255, 255)',
    );
    // While open, the launcher is a close button showing ×.
    await page.getByRole('button', { name: 'Close chat' }).first().waitFor();
    expect(await page.locator('[data-switchboard] .launcher .x').isVisible()).toBe(true);
    expect(await page.locator('[data-switchboard] .launcher .chat-icon').isVisible()).toBe(false);
    await screenshot(page, SHOTS, 'en-light-01-first-open');

    // Topics are optional quick choices: pick one, change it, the box stays usable all along.
    await chat.getByRole('button', { name: 'Billing' }).click();
    await chat.getByRole('button', { name: 'Technical' }).click();
    expect(await chat.getByRole('button', { name: 'Technical' }).getAttribute('aria-pressed')).toBe('true');
    expect(await chat.getByRole('button', { name: 'Billing' }).getAttribute('aria-pressed')).toBe('false');
    await send(chat, 'My server does not start');
    await chat.getByText('Waiting for an agent…').waitFor();
    await chat.getByText('Topic: Technical').waitFor();
    expect(await latestTicket()).toMatchObject({ status: 'open', category: 'Technical' });
    await screenshot(page, SHOTS, 'en-light-02-waiting');
    // While it waits for an agent, the topic can still change (the card follows).
    await chat.getByRole('button', { name: 'Billing' }).click();
    await chat.getByText('Topic: Billing').waitFor();
    expect(await chat.getByRole('button', { name: 'Billing' }).getAttribute('aria-pressed')).toBe('true');
    expect(await latestTicket()).toMatchObject({ status: 'open', category: 'Billing' });

    await agentAnswers('Ann Lee', 'Hi, Ann here. Which server?');
    await chat.getByText('Connected to Ann Lee').waitFor();
    await chat.locator('.header .avatar', { hasText: 'AL' }).waitFor();
    await chat.getByText('Ann Lee joined the conversation').waitFor();
    // Taken by an agent: the topic stays as it is.
    expect(await chat.getByRole('button', { name: 'Technical' }).count()).toBe(0);
    await screenshot(page, SHOTS, 'en-light-03-connected');

    await page.getByRole('button', { name: 'Close chat' }).last().click();
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    expect(await page.locator('[data-switchboard] .launcher .chat-icon').isVisible()).toBe(true);
    await context.close();
  }, 90_000);

  it('on a 390×844 phone in Russian: typing needs no topic, the header is not cut, the keyboard keeps the end in view', async () => {
    const { context, page } = await newPage(PHONE);
    await page.goto(hostPage({ color: '#0f766e' }, 'ru'));
    const chat = await openChat(page, 'Открыть чат');
    const frameElement = await page.waitForSelector('[data-switchboard] >> iframe');
    expect(await frameElement.boundingBox()).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
    await chat.getByRole('textbox', { name: 'Сообщение' }).waitFor();
    await chat.getByText('Обычно отвечаем за несколько минут').waitFor();
    await chat.getByText('Тема обращения (необязательно)').waitFor();
    await screenshot(page, SHOTS, 'ru-light-phone-01-first-open');

    // Straight to typing, no topic: a burst of lines passes the rate limit.
    const lines = [
      'Здравствуйте!',
      'У меня не проходит оплата картой, уже третий раз подряд, хотя деньги на счету есть.',
      'Банк говорит, что с их стороны всё в порядке и операцию они не отклоняли.',
      'Номер заказа 48213.',
      'Пробовал и с телефона, и с компьютера, в разных браузерах.',
      'Подскажите, что можно сделать?',
      'Ошибка на экране: «Платёж не может быть выполнен, попробуйте позже».',
      'Вчера вечером всё работало.',
      'Заранее спасибо!',
    ];
    for (const line of lines) await send(chat, line, 'Сообщение');
    await chat
      .locator('.message--mine .message__receipt', { hasText: 'Отправлено' })
      .waitFor({ timeout: 20_000 });
    expect(await chat.locator('.outgoing-failed').count()).toBe(0);
    expect((await latestTicket()).category).toBeNull();
    await agentAnswers('Александра Константинопольская', 'Здравствуйте! Сейчас посмотрю заказ 48213.');
    await chat.getByText('Вам отвечает Александра Константинопольская').waitFor();
    await chat.getByText('Александра Константинопольская теперь в чате').waitFor();
    expect(await overflowing(chat)).toBe(true);
    await atEnd(chat);

    // Nothing in the header is cut: the title on one line, the status wraps instead of ellipsis.
    const cut = await chat.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('.header__title, .header__status')].filter(
          (element) =>
            element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1,
        ).length,
    );
    expect(cut).toBe(0);
    await screenshot(page, SHOTS, 'ru-light-phone-02-conversation');

    // The on-screen keyboard: the visual viewport shrinks, the chat follows, the newest message stays in view.
    await chat.evaluate(() => {
      const scroll = document.querySelector('.scroll') as HTMLElement;
      scroll.scrollTop = scroll.scrollHeight;
    });
    await chat.getByRole('textbox', { name: 'Сообщение' }).focus();
    await page.setViewportSize({ width: 390, height: 470 });
    await page.waitForFunction(() => {
      const frame = document.querySelector('[data-switchboard]')?.shadowRoot?.querySelector('iframe');
      return frame?.getBoundingClientRect().height === 470;
    });
    await atEnd(chat);
    await chat.getByText('Сейчас посмотрю заказ 48213.').waitFor();
    await screenshot(page, SHOTS, 'ru-light-phone-03-keyboard');
    await context.close();
  }, 90_000);

  it('keeps the newest message in view after a reload with images, and when the rating card appears', async () => {
    const { context, page } = await newPage({ viewport: { width: 1280, height: 760 } });
    // The demo site, on the chat's own origin: a headless context blocks third-party storage, and the
    // session must survive the reload.
    await page.goto(`${app.url}/`);
    let chat = await openChat(page);
    await chat.getByRole('textbox', { name: 'Message' }).waitFor();
    for (const label of ['receipt 1', 'receipt 2', 'receipt 3']) {
      await chat.locator('input[type=file]').setInputFiles({
        name: `${label}.png`,
        mimeType: 'image/png',
        buffer: await picture(page, label),
      });
      await send(chat, `Here is ${label}`);
      await chat
        .locator('.message--mine', { hasText: `Here is ${label}` })
        .locator('img')
        .waitFor({ timeout: 20_000 });
    }
    await send(chat, 'That is all of them.');
    await chat
      .locator('.message--mine', { hasText: 'That is all of them.' })
      .locator('.message__receipt')
      .waitFor();

    // After a reload the images arrive after the first layout; the view follows them to the end.
    await page.reload();
    chat = await openChat(page);
    await chat.getByText('That is all of them.').waitFor();
    await chat.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>('.message img')].filter(
          (image) => image.complete && image.naturalHeight > 0,
        ).length === 3,
      undefined,
      { timeout: 20_000 },
    );
    expect(await overflowing(chat)).toBe(true);
    await screenshot(page, SHOTS, 'en-light-04-images-after-reload');
    await atEnd(chat);
    // The race behind it: the content shrinks (an image's placeholder gives way to the image before it
    // has decoded), the browser pulls scrollTop back, and the content grows again before that scroll
    // event is delivered, so the event reports a place far from the end. That is not the reader.
    await chat.evaluate(() => {
      const scroll = document.querySelector('.scroll') as HTMLElement;
      const image = document.querySelector('.message img') as HTMLElement;
      image.style.display = 'none';
      void scroll.scrollTop; // layout now: the shorter content pulls scrollTop back
      image.style.display = '';
      image.style.paddingBottom = '300px';
    });
    await atEnd(chat);
    await chat.evaluate(() => {
      (document.querySelector('.message img') as HTMLElement).style.paddingBottom = '';
    });

    // "End conversation" is in the ⋯ menu and asks first; Escape or Cancel keep the conversation.
    expect(await chat.getByRole('button', { name: 'End conversation' }).count()).toBe(0);
    await chat.getByRole('button', { name: 'More actions' }).click();
    await chat.getByRole('menuitem', { name: 'End conversation' }).click();
    const dialog = chat.getByRole('alertdialog', { name: 'End this conversation?' });
    await dialog.waitFor();
    await screenshot(page, SHOTS, 'en-light-05-end-confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByRole('button', { name: 'Close chat' }).count()).toBeGreaterThan(0); // still open
    await chat.getByRole('button', { name: 'More actions' }).click();
    await chat.getByRole('menuitem', { name: 'End conversation' }).click();
    await chat.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await latestTicket()).status).toBe('open');

    await chat.getByRole('button', { name: 'More actions' }).click();
    await chat.getByRole('menuitem', { name: 'End conversation' }).click();
    await chat.getByRole('button', { name: 'Yes, end it' }).click();
    await chat.getByText('How did we do?').waitFor();
    const ended = chat.locator('.system-line', { hasText: 'You ended the conversation' });
    await ended.waitFor();
    expect(await ended.evaluate((element) => getComputedStyle(element).textAlign)).toBe('center');
    expect(await chat.getByText('closed by the visitor').count()).toBe(0);
    await atEnd(chat);
    await chat.getByRole('button', { name: 'Start a new conversation' }).waitFor();
    await screenshot(page, SHOTS, 'en-light-06-rating');
    await context.close();
  }, 120_000);

  it('stays where the reader scrolled up to: a new reply does not pull the view down; sending does', async () => {
    const { context, page } = await newPage({ viewport: { width: 420, height: 520 } });
    await page.goto(`${app.url}/widget/`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    for (let line = 1; line <= 8; line++) await send(page, `Question part ${line}`);
    await page.getByText('Question part 8').waitFor();
    await page.locator('.message__receipt').last().waitFor();
    await atEnd(page);
    expect(await overflowing(page)).toBe(true);

    // The reader scrolls up with the wheel to read; an agent's reply arrives meanwhile.
    await page.locator('.scroll').hover();
    await page.mouse.wheel(0, -2_000);
    await page.waitForFunction(() => (document.querySelector('.scroll') as HTMLElement).scrollTop === 0);
    await agentAnswers('Dana', 'Here is a long answer to your questions');
    await page.getByText('Here is a long answer to your questions').waitFor();
    // Layout settles within a frame or two; the reader's place is kept through it.
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    expect(await page.evaluate(() => (document.querySelector('.scroll') as HTMLElement).scrollTop)).toBe(0);

    // Sending brings the newest message back into view.
    await send(page, 'Thanks!');
    await page.getByText('Thanks!').waitFor();
    await atEnd(page);
    await context.close();
  }, 90_000);

  it('groups times per sender and minute, separates days, shows sending / sent / failed, and one offline notice (dark)', async () => {
    const { context, page } = await newPage({ viewport: { width: 420, height: 760 } });
    await page.goto(`${app.url}/widget/?theme=dark`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    for (const line of ['one', 'two', 'three', 'four', 'five']) await send(page, line);
    await page.locator('.message__receipt').waitFor();
    const ids = await sql<{ id: number; body: string }>(
      `select id, body from messages where body in ('one', 'two', 'three', 'four', 'five') order by id`,
    );
    const now = new Date();
    const day = (daysAgo: number, hour: number, minute: number, second: number) =>
      new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo, hour, minute, second);
    const thisMinute = new Date(now);
    thisMinute.setSeconds(0, 0);
    const times = [
      day(3, 10, 0, 5),
      day(3, 10, 0, 40),
      day(1, 9, 15, 0),
      new Date(thisMinute.getTime() + 1000),
      new Date(thisMinute.getTime() + 2000),
    ];
    for (const [index, row] of ids.entries()) {
      await sql('update messages set created_at = ? where id = ?', [times[index], row.id]);
    }
    await page.reload();
    await page.getByText('five').waitFor();
    const threeDaysAgo = new Intl.DateTimeFormat('en', {
      day: 'numeric',
      month: 'long',
      ...(times[0]?.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
    }).format(times[0]);
    expect(await page.locator('.divider').allTextContents()).toEqual([threeDaysAgo, 'Yesterday', 'Today']);
    // One time per run: (one, two) · (three) · (four, five); "Sent" on the latest.
    expect(await page.locator('.message--mine .message__meta').count()).toBe(3);
    expect(
      await page.locator('.message--mine', { hasText: 'five' }).locator('.message__meta').textContent(),
    ).toMatch(/\d:\d\d.* · Sent$/);
    expect(await page.locator('.message__receipt').count()).toBe(1);

    // Sending…, then a refusal with Retry, then sent.
    let releaseSend: () => void = () => {};
    let mode: 'hold' | 'fail' | 'pass' = 'hold';
    await page.route('**/api/session/*/messages', async (route) => {
      if (mode === 'hold') {
        await new Promise<void>((resolve) => {
          releaseSend = resolve;
        });
        mode = 'fail';
        await route.fulfill({
          status: 503,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ error: { code: 'service_unavailable', message: 'Down for a moment' } }),
        });
      } else await route.continue();
    });
    await send(page, 'six');
    await page.locator('.message--mine', { hasText: 'six' }).getByText('Sending…').waitFor();
    await screenshot(page, SHOTS, 'en-dark-07-sending');
    releaseSend();
    await page.getByText('Down for a moment').waitFor();
    await screenshot(page, SHOTS, 'en-dark-08-failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.message--mine', { hasText: 'six' }).locator('.message__receipt').waitFor();

    // Offline: one notice above the box; the waiting message says only that it waits.
    await context.setOffline(true);
    await page.getByText('You are offline', { exact: false }).waitFor();
    await send(page, 'seven');
    await page
      .locator('.message--mine', { hasText: 'seven' })
      .getByText('Waiting for the connection…')
      .waitFor();
    expect(await page.getByText('offline', { exact: false }).count()).toBe(1);
    await screenshot(page, SHOTS, 'en-dark-09-offline');
    await context.setOffline(false);
    await page
      .locator('.message--mine', { hasText: 'seven' })
      .locator('.message__receipt')
      .waitFor({ timeout: 20_000 });
    await context.close();
  }, 90_000);

  it('data-theme: light by default, dark, or auto (the OS); the accent gets readable text in both', async () => {
    const styles = (frame: Frame) =>
      frame.evaluate(() => {
        const color = (selector: string, property: 'color' | 'backgroundColor' = 'color') => {
          const element = document.querySelector(selector);
          return element ? getComputedStyle(element)[property] : null;
        };
        return {
          theme: document.documentElement.dataset.theme,
          background: getComputedStyle(document.documentElement).backgroundColor,
          header: color('.header'),
          headerBackground: color('.header', 'backgroundColor'),
          chip: color('.chip'),
        };
      });

    // Yellow on a dark chat: dark text on the accent, the launcher's icon too.
    const dark = await newPage({ viewport: { width: 1280, height: 760 } });
    await dark.page.goto(hostPage({ theme: 'dark', color: '#facc15' }));
    const launcherColor = await dark.page
      .locator('[data-switchboard] .launcher')
      .evaluate((element) => getComputedStyle(element).color);
    expect(launcherColor).toBe('rgb(17, 24, 39)');
    let chat = await openChat(dark.page);
    await chat.getByRole('button', { name: 'General' }).waitFor();
    expect(await styles(chat)).toMatchObject({
      theme: 'dark',
      background: 'rgb(17, 24, 39)',
      header: 'rgb(17, 24, 39)',
      headerBackground: 'rgb(250, 204, 21)',
    });
    await chat.getByRole('button', { name: 'Billing' }).click();
    await screenshot(dark.page, SHOTS, 'en-dark-10-yellow-accent');
    await dark.context.close();

    // A navy accent is unreadable as text on the dark background: chips get a lighter shade of it.
    const navy = await newPage({ viewport: { width: 1280, height: 760 } });
    await navy.page.goto(hostPage({ theme: 'dark', color: '#1e3a8a' }, 'ru'));
    chat = await openChat(navy.page, 'Открыть чат');
    await chat.getByRole('button', { name: 'General' }).waitFor();
    const navyStyles = await styles(chat);
    expect(navyStyles.header).toBe('rgb(255, 255, 255)');
    const chipColor = parseColor(navyStyles.chip ?? '');
    const background = parseColor(navyStyles.background);
    if (!chipColor || !background) throw new Error('unreadable colours');
    expect(contrastRatio(chipColor, background)).toBeGreaterThanOrEqual(4.5);
    await send(chat, 'Здравствуйте, вопрос по счёту', 'Сообщение');
    await chat.getByText('Ждём свободного оператора…').waitFor();
    await screenshot(navy.page, SHOTS, 'ru-dark-11-navy-accent');
    await navy.context.close();

    // auto follows the OS; a colour name works too.
    for (const scheme of ['dark', 'light'] as const) {
      const auto = await newPage({ colorScheme: scheme });
      await auto.page.goto(hostPage({ theme: 'auto', color: 'teal' }));
      chat = await openChat(auto.page);
      await chat.getByRole('textbox', { name: 'Message' }).waitFor();
      expect(await styles(chat)).toMatchObject({
        theme: 'auto',
        background: scheme === 'dark' ? 'rgb(17, 24, 39)' : 'rgb(255, 255, 255)',
        headerBackground: 'rgb(0, 128, 128)',
        header: 'rgb(255, 255, 255)',
      });
      await auto.context.close();
    }

    // On a phone, dark, Russian.
    const phone = await newPage(PHONE);
    await phone.page.goto(hostPage({ theme: 'dark' }, 'ru'));
    chat = await openChat(phone.page, 'Открыть чат');
    await chat.getByText('Обычно отвечаем за несколько минут').waitFor();
    await screenshot(phone.page, SHOTS, 'ru-dark-phone-12-first-open');
    await phone.context.close();
  }, 120_000);

  it('data-greeting shows a teaser over the launcher: dismissible, and not shown again once the chat was opened', async () => {
    const greeting = 'Questions about pricing? We are online.';
    const { context, page } = await newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(hostPage({ greeting }));
    const teaser = page.locator('[data-switchboard] .teaser');
    await teaser.getByText(greeting).waitFor();
    await screenshot(page, SHOTS, 'en-light-13-teaser');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await teaser.waitFor({ state: 'hidden' });
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    expect(await teaser.isVisible()).toBe(false);
    await context.close();

    // Another visitor opens the chat from the teaser: it goes, and stays gone after a reload.
    const second = await newPage({ ...PHONE });
    await second.page.goto(hostPage({ greeting: 'Есть вопросы? Мы на связи.', theme: 'dark' }, 'ru'));
    const teaser2 = second.page.locator('[data-switchboard] .teaser');
    await teaser2.getByText('Есть вопросы? Мы на связи.').waitFor();
    await second.page.getByRole('button', { name: 'Скрыть' }).waitFor();
    await screenshot(second.page, SHOTS, 'ru-dark-phone-14-teaser');
    await teaser2.getByText('Есть вопросы? Мы на связи.').click();
    const frame = await (await second.page.waitForSelector('[data-switchboard] >> iframe')).contentFrame();
    await frame?.getByRole('textbox', { name: 'Сообщение' }).waitFor();
    await teaser2.waitFor({ state: 'hidden' });
    await second.page.reload();
    await second.page.getByRole('button', { name: 'Открыть чат' }).waitFor();
    expect(await teaser2.isVisible()).toBe(false);
    await second.context.close();
  }, 90_000);
});
