import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor } from './support/visitor.ts';

/** Issue 14 §1: the chosen category stays visible and can be changed before an agent claims. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const categoryOf = async (ticketId: number) =>
  (
    await app.orm.em
      .getConnection()
      .execute<{ category: string | null }[]>('select category from tickets where id = ?', [ticketId])
  )[0]?.category;

describe(`PUT /api/tickets/:id/category (${databaseKind})`, () => {
  it('the visitor changes the topic while the conversation waits; bad input changes nothing', async () => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('my card was charged twice', 'Technical');
    const put = (json: unknown, token = visitor.token, id: number | string = ticket.id) =>
      visitor.http.request('PUT', `/api/tickets/${id}/category`, { token, json });

    const changed = await put({ category: 'billing' });
    expect(changed.status).toBe(200);
    expect(changed.body.ticket.category).toBe('Billing'); // the configured spelling
    expect(await categoryOf(ticket.id)).toBe('Billing');

    for (const [body, status] of [
      [{ category: 'Astrology' }, 400],
      [{ category: '' }, 400],
      [{ category: 7 }, 400],
      [{}, 400],
      [{ category: 'General', extra: true }, 400],
    ] as const) {
      const refused = await put(body);
      expect(refused.status, JSON.stringify(body)).toBe(status);
      expect(refused.body.error.code).toBe('validation_failed');
    }
    // Someone else's ticket does not exist for this visitor; a malformed id neither.
    const stranger = await newVisitor(app.url);
    expect((await put({ category: 'General' }, stranger.token)).status).toBe(404);
    expect((await put({ category: 'General' }, visitor.token, 'abc')).status).toBe(404);
    expect(await categoryOf(ticket.id)).toBe('Billing');

    const cleared = await put({ category: null });
    expect(cleared.status).toBe(200);
    expect(await categoryOf(ticket.id)).toBeNull();
  });

  it('once an agent has taken the conversation, the topic stays (409)', async () => {
    const visitor = await newVisitor(app.url);
    const { ticket } = await visitor.say('hello', 'General');
    const agent = await app.inContext(() => app.services.agents.upsert({ tgChatId: 777_001, name: 'Ann' }));
    await app.inContext(() => app.services.tickets.claim(ticket.id, agent.id));
    const refused = await visitor.http.request('PUT', `/api/tickets/${ticket.id}/category`, {
      token: visitor.token,
      json: { category: 'Billing' },
    });
    expect(refused.status).toBe(409);
    expect(await categoryOf(ticket.id)).toBe('General');
  });
});
