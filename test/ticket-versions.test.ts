import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketView } from '../contract/api.ts';
import { createInProcessEventBus, type DomainEvent } from '../core/event-bus.ts';
import { createServices, type Services } from '../core/services.ts';
import type { Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

let orm: Orm;
let close: () => Promise<void>;
let services: Services;
const events: DomainEvent[] = [];

beforeAll(async () => {
  ({ orm, close } = await createTestOrm());
  const bus = createInProcessEventBus();
  bus.subscribe('*', (event) => events.push(event));
  services = createServices({ em: orm.em, bus });
});
afterAll(() => close?.());

const run = <T>(fn: () => Promise<T>) => inContext(orm, fn);
const sql = <T>(query: string) => orm.em.fork().getConnection().execute<T[]>(query);
let nextChatId = 7000;
const newAgent = (name: string) => run(() => services.agents.upsert({ tgChatId: nextChatId++, name }));
const rowVersion = async (ticketId: number) =>
  Number((await sql<{ version: number }>(`select version from tickets where id = ${ticketId}`))[0]?.version);
/** The ticket states published since `from` (an index into `events`). */
const ticketEventsSince = (from: number) =>
  events
    .slice(from)
    .flatMap((event) => (event.type === 'ticket.updated' ? [event.ticket] : ([] as TicketView[])));

describe(`ticket versions (${databaseKind})`, () => {
  it('every kind of change of a ticket raises its version, in the row, the answer and the event', async () => {
    const alice = await newAgent('Alice');
    const bob = await newAgent('Bob');
    const sessionId = await run(() => services.sessions.createSession({}));
    const opened = await run(() => services.messages.sendVisitorMessage({ sessionId, body: 'Help please' }));
    const ticketId = opened.ticket.id;
    expect(opened.ticket.version).toBe(1);
    expect(await rowVersion(ticketId)).toBe(1);

    let last = 1;
    /** Runs a change: the row's version grew, and the answer and every event carry the row's version. */
    const change = async (what: string, action: () => Promise<TicketView | undefined>) => {
      const from = events.length;
      const answered = await run(action);
      const version = await rowVersion(ticketId);
      expect(version, what).toBeGreaterThan(last);
      if (answered) expect(answered.version, what).toBe(version);
      for (const published of ticketEventsSince(from)) expect(published.version, what).toBe(version);
      last = version;
    };

    await change('category', () => services.tickets.setCategory(ticketId, sessionId, 'Billing'));
    await change('priority', async () => {
      await services.priority.set(ticketId, 'high');
      return ticketEventsSince(events.length - 1)[0];
    });
    await change('after hours', async () => {
      await services.tickets.afterHours(ticketId);
      return undefined;
    });
    await change('claim', () => services.tickets.claim(ticketId, alice.id));
    await change('transfer', () =>
      services.tickets.handOver(ticketId, alice.id, { to: 'agent', agentId: bob.id }),
    );
    await change('back to the queue', () => services.tickets.handOver(ticketId, bob.id, { to: 'queue' }));
    await change('claim again', () => services.tickets.claim(ticketId, alice.id));
    // Any path that writes the row, the ORM's or a statement of its own: the trigger sees them all.
    await change('the card', async () => {
      await services.desk.setCardMessageId(ticketId, 4242);
      return undefined;
    });
    await change('visitor typing', async () => {
      await services.typing.takeTypingTurn(ticketId, 4000);
      return undefined;
    });
    await change('close', () => services.tickets.close(ticketId, { kind: 'agent', agentId: alice.id }));
    await change('rating', () => services.tickets.rate(ticketId, sessionId, 5));

    // A pass changes no row: the event it publishes (for the queues' pass counts) carries the same version.
    const second = await run(() => services.messages.sendVisitorMessage({ sessionId, body: 'Again' }));
    const from = events.length;
    const passed = await run(() => services.tickets.pass(second.ticket.id, bob.id));
    expect(passed.ticket.version).toBe(await rowVersion(second.ticket.id));
    expect(ticketEventsSince(from).map((ticket) => ticket.version)).toEqual([passed.ticket.version]);

    // What a client reads carries the version too.
    const conversation = await run(() => services.sessions.getConversation(sessionId));
    expect(conversation.tickets.map((ticket) => ticket.version)).toEqual([
      last,
      await rowVersion(second.ticket.id),
    ]);
  });
});
