import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentConsoleService } from '../core/agent-console.service.ts';
import { createAgentDeskService } from '../core/agent-desk.service.ts';
import type { Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { createTestOrm } from './support/test-app.ts';

let orm: Orm;
let close: () => Promise<void>;
const since = new Date('2026-06-01T00:00:00Z');
const at = (minutes: number) => new Date(since.getTime() + minutes * 60_000).toISOString();

beforeAll(async () => {
  ({ orm, close } = await createTestOrm());
  const sql = (query: string, params: unknown[] = []) => orm.em.getConnection().execute(query, params);
  // Tickets 1–6 (one session each): [status, created, closed, rating, agent replies, visitor messages].
  const tickets: [string, number, number | null, number | null, number[], number[]][] = [
    // First reply before the day: a reply today is not a first reply.
    ['claimed', -120, null, null, [-60, 10], [-119]],
    // Opened before the day, first reply today: 40 minutes.
    ['closed', -30, 20, 5, [10, 15], [-29, -25, 12]],
    // Opened and answered today: 20 minutes.
    ['claimed', 0, null, null, [20, 30], [1]],
    ['open', 5, null, null, [], [5, 6, 7]],
    // Closed (and rated) before the day.
    ['closed', -3000, -2000, 1, [-2990], [-2999]],
    ['open', 50, null, null, [], [50]],
  ];
  for (const [index, [status, created, closed, rating, replies, visits]] of tickets.entries()) {
    const id = index + 1;
    const session = `00000000-0000-4000-8000-00000000000${id}`;
    await sql('insert into support_sessions (id, created_at) values (?, ?)', [session, at(created)]);
    await sql(
      'insert into tickets (id, session_id, status, created_at, closed_at, rating) values (?, ?, ?, ?, ?, ?)',
      [id, session, status, at(created), closed === null ? null : at(closed), rating],
    );
    for (const [sender, times] of [
      ['agent', replies],
      ['visitor', visits],
    ] as const) {
      for (const time of times) {
        await sql(
          'insert into messages (ticket_id, session_id, sender, body, created_at) values (?, ?, ?, ?, ?)',
          [id, session, sender, `${sender} at ${time}`, at(time)],
        );
      }
    }
  }
  // Ticket 4's second visitor message was deleted: the card neither shows nor counts it.
  await sql(`update messages set deleted_at = now() where ticket_id = 4 and body = 'visitor at 6'`);
});
afterAll(async () => close?.());

describe(`reads that stay cheap as tickets pile up (${databaseKind})`, () => {
  it('today: first replies given today only, tickets closed and rated today, open now', async () => {
    const stats = await createAgentConsoleService({ em: orm.em.fork() }).todayStats(since);
    expect(stats).toMatchObject({
      open_count: 4,
      unclaimed_count: 2,
      claimed_count: 2,
      closed_count: 1,
      first_replies: 2,
      median_first_reply_seconds: 1800,
      ratings: { count: 1, average: 5, distribution: [0, 0, 0, 0, 1] },
    });
  });

  it('a card: first and latest visitor message and their count, without deleted ones', async () => {
    const desk = createAgentDeskService({ em: orm.em.fork() });
    expect(await desk.card(4)).toMatchObject({
      firstMessage: 'visitor at 5',
      latestMessage: 'visitor at 7',
      visitorMessageCount: 2,
    });
    expect(await desk.card(6)).toMatchObject({
      firstMessage: 'visitor at 50',
      latestMessage: null,
      visitorMessageCount: 1,
    });
  });
});
