import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_TAGS_SQL, TAGGED_AMONG_SQL } from '../core/tags.service.ts';
import { databaseKind } from './support/database.ts';
import { ALICE, BOB } from './support/telegram-desk.ts';
import { type ThreadMode, threadDesk } from './support/thread-desk.ts';

const EVE = { id: 5003, first_name: 'Eve', username: 'eve' };

/** A desk in one mode, with Eve outside the support group. */
const tagDesk = (mode: ThreadMode) => threadDesk(mode, { strangers: [EVE] });

describe.each(['private-topics', 'group-topics', 'single'] as const)(
  `tags in the ticket’s thread (%s, ${databaseKind})`,
  (mode) => {
    const desk = tagDesk(mode);
    beforeAll(desk.start, 60_000);
    afterAll(desk.stop);

    it('/tag adds (normalised, once), /untag removes, each answers with the tags now; bad tags change nothing', async () => {
      const ticket = await desk.newTicket('I want my money back');
      await desk.claim(ALICE, ticket);
      const place = await desk.placeOf(ALICE, ticket.ticketId);
      const id = ticket.ticketId;

      expect(await desk.say(ALICE, place, '/tag VIP #Refund, vip')).toBe(`🏷 #${id} tags: vip, refund`);
      expect(await desk.say(ALICE, place, '/tag')).toMatch(
        new RegExp(`^🏷 #${id} tags: vip, refund\\nAdd tags with /tag`),
      );
      expect(await desk.say(ALICE, place, '/tag ok bad!tag')).toBe(
        `tag “bad!tag”: may contain only letters, digits, - and _ (starting with a letter or digit), at most 32 characters. Nothing changed.\n🏷 #${id} tags: vip, refund`,
      );
      expect(await desk.say(ALICE, place, `/tag ${'x'.repeat(33)}`)).toMatch(
        /must be at most 32 characters\. Nothing changed\./,
      );
      expect(
        await desk.say(ALICE, place, `/tag ${Array.from({ length: 9 }, (_, i) => `t${i}`).join(' ')}`),
      ).toMatch(/at most 10 tags .*Nothing changed\.\n🏷 #\d+ tags: vip, refund$/s);
      expect(await desk.say(ALICE, place, '/untag vip nothere')).toBe(`🏷 #${id} tags: refund`);
      const tags = await desk.api(BOB, 'GET', `/api/agent/tickets/${id}/tags`);
      expect(tags.body).toEqual({ ticket_id: id, tags: ['refund'] });
      expect(await desk.say(ALICE, place, '/untag refund')).toBe(`🏷 #${id} has no tags.`);
      // The visitor saw none of it.
      expect(
        (await ticket.visitor.messages()).filter((m) => m.sender !== 'system').map((m) => m.body),
      ).toEqual(['I want my money back']);
    });
  },
);

describe(`tags in the agents’ API and the queue filter (${databaseKind})`, () => {
  const desk = tagDesk('private-topics');
  const { d } = desk;
  beforeAll(desk.start, 60_000);
  afterAll(desk.stop);

  it('adds and removes tags; refuses bad ones with a 400 and changes nothing; agents only', async () => {
    const { ticketId } = await desk.newTicket('Where is my parcel?');
    const path = `/api/agent/tickets/${ticketId}/tags`;
    const added = await desk.api(ALICE, 'POST', path, { tags: ['Shipping', '#late'] });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ ticket_id: ticketId, tags: ['shipping', 'late'] });

    const before = await d.app.count('ticket_tags');
    for (const [json, message] of [
      [{ tags: ['ok', 'no spaces'] }, /^tag “no spaces”: may contain only/],
      [{ tags: ['-dash'] }, /may contain only/],
      [{ tags: ['a'.repeat(33)] }, /at most 32 characters/],
      [{ tags: ['#'] }, /must not be empty/],
      [{ tags: [] }, /^tags/],
      [{ tags: 'vip' }, /^tags/],
      [{ tags: ['vip'], extra: 1 }, /extra|Unrecognized/i],
      [{ tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }, /at most 10 tags/],
    ] as const) {
      const response = await desk.api(ALICE, 'POST', path, json);
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(response.body.error).toEqual({
        code: 'validation_failed',
        message: expect.stringMatching(message),
      });
    }
    expect(await d.app.count('ticket_tags')).toBe(before);
    expect((await desk.api(ALICE, 'GET', path)).body.tags).toEqual(['shipping', 'late']);

    const removed = await desk.api(BOB, 'DELETE', `${path}/LATE`);
    expect(removed.body).toEqual({ ticket_id: ticketId, tags: ['shipping'] });
    expect((await desk.api(BOB, 'DELETE', `${path}/${encodeURIComponent('bad tag')}`)).status).toBe(400);
    expect((await desk.api(ALICE, 'POST', '/api/agent/tickets/999999/tags', { tags: ['x'] })).status).toBe(
      404,
    );
    expect((await desk.api(ALICE, 'GET', '/api/agent/tickets/abc/tags')).status).toBe(404);
    expect((await desk.api(EVE, 'GET', path)).status).toBe(403);
    expect((await desk.api(EVE, 'POST', path, { tags: ['x'] })).status).toBe(403);
    expect((await d.http.get(path)).status).toBe(401);
  });

  it('the queue filters by tag; /tags lists the tags on open tickets', async () => {
    const a = await desk.newTicket('Refund please');
    const b = await desk.newTicket('Another refund');
    const c = await desk.newTicket('Just a question');
    await desk.api(ALICE, 'POST', `/api/agent/tickets/${a.ticketId}/tags`, { tags: ['refund', 'vip'] });
    await desk.api(ALICE, 'POST', `/api/agent/tickets/${b.ticketId}/tags`, { tags: ['refund'] });
    await desk.claim(BOB, b);

    const all = await desk.api(BOB, 'GET', '/api/agent/queue');
    expect(all.body.open.map((t: { id: number }) => t.id)).toEqual(
      expect.arrayContaining([a.ticketId, b.ticketId, c.ticketId]),
    );
    const refund = await desk.api(BOB, 'GET', '/api/agent/queue?tag=Refund');
    expect(refund.status).toBe(200);
    expect(refund.body.open.map((t: { id: number }) => t.id)).toEqual([a.ticketId, b.ticketId]);
    expect(refund.body.unclaimed.map((t: { id: number }) => t.id)).toEqual([a.ticketId]);
    expect(refund.body.mine.map((t: { id: number }) => t.id)).toEqual([b.ticketId]);
    const vip = await desk.api(BOB, 'GET', '/api/agent/queue?tag=vip');
    expect(vip.body.open.map((t: { id: number }) => t.id)).toEqual([a.ticketId]);
    expect((await desk.api(BOB, 'GET', '/api/agent/queue?tag=nobody')).body.open).toEqual([]);
    const bad = await desk.api(BOB, 'GET', `/api/agent/queue?tag=${encodeURIComponent('no way')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');

    const open = await desk.api(BOB, 'GET', '/api/agent/tags');
    expect(open.body.tags.slice(0, 2)).toEqual([
      { tag: 'refund', count: 2 },
      expect.objectContaining({ count: 1 }),
    ]);
    expect(open.body.tickets[String(a.ticketId)]).toEqual(['refund', 'vip']);
    expect(open.body.tickets[String(c.ticketId)]).toBeUndefined();
  });

  it('/tags and the queue filter read only live tickets, through indexes (EXPLAIN over 5,000 closed tagged tickets)', async () => {
    const sql = (query: string, params: unknown[] = []) =>
      d.app.orm.em.getConnection().execute(query, params);
    const explain = async (query: string, params: unknown[] = []) =>
      ((await sql(`explain ${query}`, params)) as { 'QUERY PLAN': string }[])
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    const live = await desk.newTicket('Refund again, please');
    await desk.api(ALICE, 'POST', `/api/agent/tickets/${live.ticketId}/tags`, { tags: ['refund'] });
    const openBefore = (await desk.api(BOB, 'GET', '/api/agent/tags')).body;
    type Queue = Record<'unclaimed' | 'mine' | 'open', { id: number }[]>;
    const queueIds = async () => {
      const queue = (await desk.api(BOB, 'GET', '/api/agent/queue?tag=refund')).body as Queue;
      return {
        unclaimed: queue.unclaimed.map((t) => t.id),
        mine: queue.mine.map((t) => t.id),
        open: queue.open.map((t) => t.id),
      };
    };
    const queueBefore = await queueIds();
    expect(openBefore.tickets[String(live.ticketId)]).toEqual(['refund']);
    expect(queueBefore.unclaimed).toContain(live.ticketId);
    // Years of closed tickets, most of them tagged `refund`.
    await sql(
      `insert into tickets (session_id, status, created_at, closed_at)
       select (select session_id from tickets where id = ?), 'closed', now() - g * interval '1 hour', now()
         from generate_series(1, 5000) g`,
      [live.ticketId],
    );
    await sql(
      `insert into ticket_tags (ticket_id, tag) select id, 'refund' from tickets where status = 'closed'`,
    );
    await sql('analyze tickets');
    await sql('analyze ticket_tags');

    const openPlan = await explain(OPEN_TAGS_SQL);
    expect(openPlan).toMatch(
      /Index Scan using (tickets_status_created_at_index|tickets_one_open_per_session) on tickets/,
    );
    expect(openPlan).not.toMatch(/Seq Scan on (tickets|ticket_tags)/);
    const filterPlan = await explain(TAGGED_AMONG_SQL, ['refund', `{${live.ticketId}}`]);
    expect(filterPlan).toContain('ticket_tags_ticket_id_tag_unique');
    expect(filterPlan).not.toMatch(/Seq Scan on ticket_tags/);

    // The answers are unchanged: closed tickets never count.
    expect((await desk.api(BOB, 'GET', '/api/agent/tags')).body).toEqual(openBefore);
    expect(await queueIds()).toEqual(queueBefore);
  });
});
