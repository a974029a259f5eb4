import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { launchChromium, screenshot } from './support/browser.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { DARK_THEME, miniAppLaunchUrl, requireBuiltMiniApp } from './support/miniapp.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor } from './support/visitor.ts';

const GROUP = -1001234567201;
const ALICE = { id: 20101, first_name: 'Alice', username: 'alice' };
const BOB = { id: 20102, first_name: 'Bob', username: 'bob' };
const CAROL = { id: 20103, first_name: 'Carol', username: 'carol' };

/** Issue 13 §3 in the Mini App: Transfer… on one's ticket — the team, advised first, a note, the queue. */
describe(`handing a ticket over in the Mini App, in Chromium (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let browser: Browser;
  let http: ReturnType<typeof httpClient>;
  const as = (user: typeof ALICE) => ({ headers: tma(signInitData(fake.token, user)) });

  beforeAll(async () => {
    requireBuiltMiniApp();
    fake = await startFakeTelegram();
    app = await startTestApp({
      ...fakeSupportGroup(fake, GROUP, [ALICE, BOB, CAROL]),
      CATEGORY_SKILLS: 'Billing:billing',
    });
    http = httpClient(app.url);
    browser = await launchChromium();
    await agentsStartTheBot(fake, [ALICE, BOB, CAROL]);
    // Bob is online with the billing skill; Carol is online with another skill; Alice answers.
    for (const [user, skills] of [
      [BOB, ['billing']],
      [CAROL, ['tech']],
    ] as const) {
      await http.request('PUT', '/api/agent/team/me/skills', { ...as(user), json: { skills } });
      await http.request('PUT', '/api/agent/team/me/presence', { ...as(user), json: { state: 'online' } });
    }
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  it('Alice hands her ticket to Bob with a note; the visitor sees Bob join; Bob gets history and note', async () => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('I was charged twice', 'Billing');
    expect((await http.post(`/api/agent/tickets/${ticket.id}/claim`, as(ALICE))).status).toBe(200);

    for (const theme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 420, height: 900 } });
      await context.addInitScript(() => {
        (window as unknown as { TelegramWebviewProxy: object }).TelegramWebviewProxy = {
          postEvent: () => {},
        };
      });
      const page = await context.newPage();
      await page.goto(
        miniAppLaunchUrl(app.url, fake.token, ALICE, theme === 'dark' ? { theme: DARK_THEME } : {}),
      );
      await page.getByRole('tab', { name: /Mine/ }).click();
      await page.getByRole('button', { name: /I was charged twice/ }).click();
      await page.getByRole('button', { name: 'Transfer…' }).click();
      const form = page.getByRole('region', { name: 'Transfer the ticket' });
      await form.getByText('Bob', { exact: true }).waitFor();
      // Advised first and chosen: Bob (online, with the skill); Carol has other skills.
      expect(await form.getByRole('radio').first().isChecked()).toBe(true);
      await form.getByText('Online · 0 open tickets · other skills').waitFor();
      await form
        .getByRole('textbox', { name: 'Note for the next agent' })
        .fill('Refund approved, please send it');
      await form.scrollIntoViewIfNeeded();
      await screenshot(page, 'miniapp-transfer', `01-transfer-form-${theme}`);
      if (theme === 'light') {
        await context.close();
        continue;
      }
      await form.getByRole('button', { name: 'Hand over' }).click();
      await page.getByText('Claimed by Bob').waitFor();
      expect(await page.getByRole('button', { name: 'Transfer…' }).count()).toBe(0);
      await screenshot(page, 'miniapp-transfer', '02-after-transfer');
      await context.close();
    }

    await eventually(async () => (await visitor.conversation()).ticket?.agent_name === 'Bob');
    expect((await visitor.messages('system')).map((m) => m.body)).toContain('Bob joined the conversation');
    const handed = await fake.waitFor(
      () => fake.sentTo(BOB.id).find((m) => /Alice<\/b> handed|Alice handed/.test(m.text ?? '')),
      { timeoutMs: 15_000 },
    );
    expect(handed.text).toContain('Refund approved, please send it');
    // Alice can no longer answer it; Bob can.
    const refused = await http.post(`/api/agent/tickets/${ticket.id}/messages`, {
      ...as(ALICE),
      json: { body: 'x' },
    });
    expect(refused.status).toBe(403);
    const answered = await http.post(`/api/agent/tickets/${ticket.id}/messages`, {
      ...as(BOB),
      json: { body: 'Refund sent' },
    });
    expect(answered.status).toBe(201);
  }, 120_000);

  it('the API refuses what is not the caller’s to hand over, and bad input, changing nothing', async () => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('another question');
    const transfer = (user: typeof ALICE, json: unknown) =>
      http.post(`/api/agent/tickets/${ticket.id}/transfer`, { ...as(user), json });
    expect((await transfer(ALICE, { to: 'queue' })).status).toBe(403); // nobody holds it
    expect((await http.post(`/api/agent/tickets/${ticket.id}/claim`, as(ALICE))).status).toBe(200);
    for (const body of [
      {},
      { to: 'bob' },
      { to: -1 },
      { to: 1.5 },
      { to: 'queue', note: 'x'.repeat(1001) },
      { to: 'queue', extra: 1 },
    ]) {
      const refused = await transfer(ALICE, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect((await transfer(ALICE, { to: 987654 })).status).toBe(404);
    expect((await transfer(BOB, { to: 'queue' })).status).toBe(403);
    expect((await visitor.conversation()).ticket?.agent_name).toBe('Alice');
    // Someone who has left the support group is neither offered nor accepted: the history must not reach them.
    const former = await app.inContext(() => app.services.agents.upsert({ tgChatId: 20199, name: 'Former' }));
    const candidates = await http.get(`/api/agent/tickets/${ticket.id}/transfer-candidates`, as(ALICE));
    expect(candidates.status).toBe(200);
    const names = candidates.body.agents.map((a: { name: string }) => a.name);
    expect(names).not.toContain('Alice');
    expect(names).not.toContain('Former');
    expect(names).toEqual(expect.arrayContaining(['Bob', 'Carol']));
    const refusedFormer = await transfer(ALICE, { to: former.id });
    expect(refusedFormer.status).toBe(409);
    expect(refusedFormer.body.error.message).toContain('no longer in the support group');
    expect((await visitor.conversation()).ticket?.agent_name).toBe('Alice');
    const back = await transfer(ALICE, { to: 'queue' });
    expect(back.status).toBe(200);
    expect(back.body.ticket.status).toBe('open');
  });
});
