import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OfferEnded, TicketAlreadyClaimed } from '../core/errors.ts';
import { createInProcessEventBus } from '../core/event-bus.ts';
import type { OutboundJob, Outbox } from '../core/outbox.ts';
import { createServices, type Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

let orm: Orm;
let close: () => Promise<void>;
let services: Services;
/** Jobs enqueued (committed or not: the tests look at what a step asked for). */
let jobs: OutboundJob[] = [];
const recording: Outbox = {
  enqueue: async (_tx, job) => void jobs.push(job),
  enqueueMany: async (_tx, many) => void jobs.push(...many),
};

beforeAll(async () => {
  ({ orm, close } = await createTestOrm());
  services = createServices({
    em: orm.em,
    bus: createInProcessEventBus(),
    outbox: recording,
    assignment: { mode: 'auto', capacity: 2, offerMs: 60_000 },
    presence: { categorySkills: { billing: ['billing'] } },
  });
});
afterAll(() => close?.());

const run = <T>(fn: () => Promise<T>) => inContext(orm, fn);
let nextChatId = 9000;
/** An agent, online (and seen now) unless told otherwise, with skills. */
const newAgent = async (name: string, { skills = [] as string[], online = true } = {}) => {
  const agent = await run(() => services.agents.upsert({ tgChatId: nextChatId++, name }));
  if (skills.length) await run(() => services.presence.setSkills(agent.id, skills));
  await run(() => services.presence.setPresence(agent.id, online ? 'online' : 'offline'));
  return agent;
};
const newTicket = async (category?: string) => {
  const sessionId = await run(() => services.sessions.createSession({}));
  const sent = await run(() => services.messages.sendVisitorMessage({ sessionId, body: 'Help', category }));
  return { sessionId, ticketId: sent.ticket.id };
};
/** Runs the assignment jobs enqueued so far (as the worker would), until none is left. */
const settle = async () => {
  for (let job = jobs.shift(); job; job = jobs.shift()) {
    if (job.type === 'ticket.assign') await run(() => services.assignment.offerNext(job.ticketId));
    if (job.type === 'tickets.assign-waiting') await run(() => services.assignment.rebalance());
  }
};
const liveOffer = async (ticketId: number) => {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ id: number; agent_id: number }[]>(
      'select id, agent_id from ticket_offers where ticket_id = ? and outcome is null',
      [ticketId],
    );
  return rows[0] ?? null;
};
const ownerOf = async (sessionId: string) =>
  (await run(() => services.sessions.getConversation(sessionId))).ticket?.agent_name ?? null;

/** Everyone offline and nothing waiting, so each test (and round) starts from what it builds itself. */
const everyoneOffline = async () => {
  const connection = orm.em.fork().getConnection();
  await connection.execute(`update agents set presence = 'offline', skills = '{}'`);
  await connection.execute(`update ticket_offers set outcome = 'withdrawn' where outcome is null`);
  await connection.execute(
    `update tickets set status = 'closed', closed_at = now() where status <> 'closed'`,
  );
  jobs = [];
};
beforeEach(everyoneOffline);

describe(`auto-assignment (${databaseKind})`, () => {
  it('offers a new ticket to the online agent with the skill and the fewest open tickets; a pass moves it on', async () => {
    const busy = await newAgent('Busy', { skills: ['billing'] });
    const free = await newAgent('Free', { skills: ['billing'] });
    await newAgent('OtherSkill', { skills: ['tech'] });
    await newAgent('Offline', { skills: ['billing'], online: false });
    const held = await newTicket('billing');
    await settle();
    // Whoever got it first accepts it: now that agent holds one ticket.
    const first = await liveOffer(held.ticketId);
    expect(first).not.toBeNull();
    await run(() => services.tickets.claim(held.ticketId, busy.id));
    expect(await liveOffer(held.ticketId)).toBeNull(); // a claim from the card takes the offer back
    await settle();

    const { sessionId, ticketId } = await newTicket('billing');
    await settle();
    const offer = await liveOffer(ticketId);
    expect(offer?.agent_id).toBe(free.id);
    await run(() => services.assignment.pass(offer?.id ?? 0, free.id));
    await settle();
    expect((await liveOffer(ticketId))?.agent_id).toBe(busy.id);
    // Busy lets it expire: nobody else has the skill and is online, so the ticket waits on the card.
    const second = await liveOffer(ticketId);
    await run(() => services.assignment.expire(second?.id ?? 0));
    await settle();
    expect(await liveOffer(ticketId)).toBeNull();
    expect(await ownerOf(sessionId)).toBeNull();
  });

  it('no one is offered more than the capacity; a closed ticket makes room and the waiting one is offered', async () => {
    const solo = await newAgent('Solo');
    const tickets = [await newTicket(), await newTicket(), await newTicket()];
    await settle();
    for (const t of tickets.slice(0, 2)) {
      const offer = await liveOffer(t.ticketId);
      expect(offer?.agent_id).toBe(solo.id);
      await run(() => services.tickets.claim(t.ticketId, solo.id, { offerId: offer?.id }));
      await settle();
    }
    // Two open tickets (the capacity): the third is not offered to Solo.
    await run(() => services.assignment.rebalance());
    expect(await liveOffer((tickets[2] as { ticketId: number }).ticketId)).toBeNull();
    await run(() =>
      services.tickets.close((tickets[0] as { ticketId: number }).ticketId, {
        kind: 'agent',
        agentId: solo.id,
      }),
    );
    await settle();
    expect((await liveOffer((tickets[2] as { ticketId: number }).ticketId))?.agent_id).toBe(solo.id);
  });

  it('an agent going offline mid-offer: the offer moves to the next agent, and their late accept is refused', async () => {
    const leaving = await newAgent('Leaving');
    const staying = await newAgent('Staying');
    // Staying holds a ticket, so Leaving (fewer open tickets) is offered the new one first.
    const other = await newTicket();
    await settle();
    await run(() => services.tickets.claim(other.ticketId, staying.id));
    jobs = [];
    const { sessionId, ticketId } = await newTicket();
    await settle();
    const offer = await liveOffer(ticketId);
    expect(offer?.agent_id).toBe(leaving.id);
    await run(() => services.presence.setPresence(leaving.id, 'offline'));
    await run(() => services.assignment.rebalance());
    await settle();
    expect((await liveOffer(ticketId))?.agent_id).toBe(staying.id);
    await expect(
      run(() => services.tickets.claim(ticketId, leaving.id, { offerId: offer?.id })),
    ).rejects.toBeInstanceOf(OfferEnded);
    expect(await ownerOf(sessionId)).toBeNull();
  });

  it('accept, card claims, app claims, expiry and going offline all at once: exactly one owner', async () => {
    for (let round = 0; round < 5; round += 1) {
      const team = await Promise.all([0, 1, 2, 3].map((n) => newAgent(`Racer${round}-${n}`)));
      const { sessionId, ticketId } = await newTicket();
      await settle();
      const offer = await liveOffer(ticketId);
      const offeredId = offer?.agent_id ?? 0;
      const rivals = team.filter((agent) => agent.id !== offeredId);
      expect(rivals).toHaveLength(3);
      const results = await Promise.allSettled([
        run(() => services.tickets.claim(ticketId, offeredId, { offerId: offer?.id })),
        ...rivals.map((rival) => run(() => services.tickets.claim(ticketId, rival.id))),
        run(() => services.assignment.expire(offer?.id ?? 0)),
        run(async () => {
          await services.presence.setPresence(offeredId, 'offline');
          await services.assignment.rebalance();
        }),
      ]);
      const claims = results.slice(0, -2);
      const won = claims.filter((r) => r.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      for (const lost of claims.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect([TicketAlreadyClaimed, OfferEnded].some((type) => lost.reason instanceof type)).toBe(true);
      }
      expect(await ownerOf(sessionId)).not.toBeNull();
      expect(await liveOffer(ticketId)).toBeNull();
      await settle();
      expect(await liveOffer(ticketId)).toBeNull();
      await everyoneOffline();
    }
  });

  it('handed back to the queue: offered to someone else, not straight back to the agent who returned it', async () => {
    const returning = await newAgent('Returning');
    const other = await newAgent('OtherOne');
    // OtherOne holds a ticket, so Returning (fewer) would be first choice for a new offer.
    const held = await newTicket();
    await settle();
    await run(() => services.tickets.claim(held.ticketId, other.id));
    const { ticketId } = await newTicket();
    await run(() => services.tickets.claim(ticketId, returning.id));
    jobs = [];
    await run(() => services.tickets.handOver(ticketId, returning.id, { to: 'queue' }));
    await settle();
    expect((await liveOffer(ticketId))?.agent_id).toBe(other.id);
  });

  it('a closed ticket takes its live offer back; a new topic moves the offer to someone with its skill', async () => {
    const biller = await newAgent('Biller', { skills: ['billing'] });
    const techie = await newAgent('Techie', { skills: ['technical'] });
    const closing = await newTicket();
    await settle();
    expect(await liveOffer(closing.ticketId)).not.toBeNull();
    await run(() =>
      services.tickets.close(closing.ticketId, { kind: 'visitor', sessionId: closing.sessionId }),
    );
    expect(await liveOffer(closing.ticketId)).toBeNull();
    await settle();

    const { sessionId, ticketId } = await newTicket('billing');
    await settle();
    expect((await liveOffer(ticketId))?.agent_id).toBe(biller.id);
    await run(() => services.tickets.setCategory(ticketId, sessionId, 'technical'));
    await settle();
    expect((await liveOffer(ticketId))?.agent_id).toBe(techie.id);
  });
});
