import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessEventBus, type DomainEvent } from '../core/event-bus.ts';
import type { OutboundJob, Outbox } from '../core/outbox.ts';
import { createServices, type Services } from '../core/services.ts';
import type { EntityManager, Orm } from '../db/orm.ts';
import { databaseKind } from './support/database.ts';
import { createTestOrm, inContext } from './support/test-app.ts';

let orm: Orm;
let close: () => Promise<void>;
let services: Services;
const events: DomainEvent[] = [];

/**
 * An outbox that records each job with the transaction it was enqueued in, and can fail the n-th
 * enqueue of a moment, or every one of a ticket, with a real database error (inside that transaction).
 */
const enqueued: { job: OutboundJob; tx: unknown }[] = [];
let failAtEnqueue: number | null = null;
/** Every delivery of this ticket fails (inside its transaction), however often it is tried. */
let failForTicket: number | null = null;
const outbox: Outbox = {
  async enqueue(tx: EntityManager, job: OutboundJob) {
    enqueued.push({ job, tx: tx.getTransactionContext() });
    const failing =
      (failAtEnqueue !== null && enqueued.length === failAtEnqueue) ||
      (failForTicket !== null && 'ticketId' in job && job.ticketId === failForTicket);
    if (failing) await tx.execute('select 1 / 0');
  },
  async enqueueMany(tx: EntityManager, jobs: OutboundJob[]) {
    for (const job of jobs) await outbox.enqueue(tx, job);
  },
};

beforeAll(async () => {
  ({ orm, close } = await createTestOrm());
  const bus = createInProcessEventBus();
  bus.subscribe('*', (event) => events.push(event));
  services = createServices({ em: orm.em, bus, outbox });
});
afterAll(() => close?.());

const run = <T>(fn: () => Promise<T>) => inContext(orm, fn);

/** `count` sessions, each with an open ticket (its first message sent). */
const openTickets = async (count: number) => {
  const sessions: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const sessionId = await run(() => services.sessions.createSession({}));
    await run(() => services.messages.sendVisitorMessage({ sessionId, body: 'first' }));
    sessions.push(sessionId);
  }
  return sessions;
};

/** Each session sends one message, all in the same moment (they arrive together). */
const sendTogether = (sessions: string[], body: string) =>
  Promise.allSettled(
    sessions.map((sessionId) => run(() => services.messages.sendVisitorMessage({ sessionId, body }))),
  );

const bodiesOf = async (sessionId: string) =>
  (await run(() => services.sessions.getConversation(sessionId))).messages.map((message) => message.body);

describe(`visitor messages by group commit on ${databaseKind}`, () => {
  it('messages arriving together are stored in one transaction, in order, each answered with its own', async () => {
    const sessions = await openTickets(5);
    enqueued.length = 0;

    // Quotes, backslashes and an emoji survive the statement's JSON parameter as sent.
    const body = `together: "quoted" it's a back\\slash \\n 😀`;
    const results = await sendTogether(sessions, body);

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const sent = results.map(
      (result) => (result as PromiseFulfilledResult<{ message: { id: number } }>).value,
    );
    const ids = sent.map((entry) => entry.message.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // One transaction enqueued every delivery.
    expect(enqueued).toHaveLength(5);
    expect(new Set(enqueued.map((entry) => entry.tx)).size).toBe(1);
    for (const sessionId of sessions) expect(await bodiesOf(sessionId)).toEqual(['first', body]);
  });

  it('a database error in the middle of a group stores none of it; each message is then written on its own, once', async () => {
    const sessions = await openTickets(5);
    enqueued.length = 0;
    events.length = 0;
    failAtEnqueue = 3;

    const results = await sendTogether(sessions, 'lost?').finally(() => {
      failAtEnqueue = null;
    });

    // The group's transaction (all five) was rolled back; the five written again one by one.
    expect(new Set(enqueued.map((entry) => entry.tx)).size).toBe(6);
    expect(results.map((result) => result.status)).toEqual(Array(5).fill('fulfilled'));
    expect(events.filter((event) => event.type === 'message.created')).toHaveLength(5);
    for (const sessionId of sessions) expect(await bodiesOf(sessionId)).toEqual(['first', 'lost?']);
  });

  it('a message that fails on its own too is refused and stored nowhere; the rest of its group is stored', async () => {
    const sessions = await openTickets(5);
    const doomed = sessions[2] as string;
    failForTicket = (await run(() => services.sessions.getConversation(doomed))).ticket?.id ?? null;
    enqueued.length = 0;
    events.length = 0;

    const results = await sendTogether(sessions, 'maybe').finally(() => {
      failForTicket = null;
    });

    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    for (const sessionId of sessions)
      expect(await bodiesOf(sessionId)).toEqual(sessionId === doomed ? ['first'] : ['first', 'maybe']);
    expect(events.filter((event) => event.type === 'message.created')).toHaveLength(4);
  });
});

describe(`a send retried with its client id is stored once, on ${databaseKind}`, () => {
  const countOf = async (sessionId: string) => (await bodiesOf(sessionId)).length;
  const send = (sessionId: string, body: string, clientId: string) =>
    run(() => services.messages.sendVisitorMessage({ sessionId, body, clientId }));

  it('again after its answer (sequential): the stored message is the answer, published again; nothing new is stored or delivered', async () => {
    const [sessionId] = (await openTickets(1)) as [string];
    const clientId = crypto.randomUUID();
    const first = await send(sessionId, 'only once', clientId);
    enqueued.length = 0;
    events.length = 0;
    const again = await send(sessionId, 'only once', clientId);
    expect(again.message).toEqual(first.message);
    expect(again.message.client_id).toBe(clientId);
    expect(again.ticket.id).toBe(first.ticket.id);
    expect(await bodiesOf(sessionId)).toEqual(['first', 'only once']);
    expect(enqueued).toEqual([]);
    // Published again: the instance that stored it may have died before publishing (streams send it once).
    expect(events).toEqual([
      { type: 'message.created', sessionId, ticketId: first.ticket.id, message: first.message },
    ]);
  });

  it('twice at once (in one group), and with the first message of a session: one message, both answers it', async () => {
    const [sessionId] = (await openTickets(1)) as [string];
    const clientId = crypto.randomUUID();
    enqueued.length = 0;
    events.length = 0;
    const [one, two] = await Promise.all([
      send(sessionId, 'at once', clientId),
      send(sessionId, 'at once', clientId),
    ]);
    expect(one.message.id).toBe(two.message.id);
    expect(await bodiesOf(sessionId)).toEqual(['first', 'at once']);
    expect(enqueued).toHaveLength(1);
    expect(
      events
        .filter((event) => event.type === 'message.created')
        .map((event) => 'message' in event && event.message.id),
    ).toEqual([one.message.id, one.message.id]);

    // A new session's first message (it opens the ticket), sent twice at once.
    const fresh = await run(() => services.sessions.createSession({}));
    const firstId = crypto.randomUUID();
    const opened = await Promise.all([send(fresh, 'hello', firstId), send(fresh, 'hello', firstId)]);
    expect(opened[0].message.id).toBe(opened[1].message.id);
    expect(await countOf(fresh)).toBe(1);
  });

  it('at once through two instances (two group commits, two connections): one message, both answers it', async () => {
    const other = createServices({ em: orm.em, bus: createInProcessEventBus(), outbox });
    for (let round = 0; round < 5; round += 1) {
      const [sessionId] = (await openTickets(1)) as [string];
      const clientId = crypto.randomUUID();
      const [one, two] = await Promise.all([
        send(sessionId, 'twice', clientId),
        run(() => other.messages.sendVisitorMessage({ sessionId, body: 'twice', clientId })),
      ]);
      expect(one.message.id).toBe(two.message.id);
      expect(await bodiesOf(sessionId)).toEqual(['first', 'twice']);
    }
  });

  it('after its ticket closed, and when its group failed: still the stored message; another body under it is refused', async () => {
    const [sessionId] = (await openTickets(1)) as [string];
    const clientId = crypto.randomUUID();
    const first = await send(sessionId, 'before the close', clientId);
    await run(() => services.tickets.close(first.ticket.id, { kind: 'visitor', sessionId }));
    const again = await send(sessionId, 'before the close', clientId);
    expect(again.message.id).toBe(first.message.id);
    expect(again.ticket).toMatchObject({ id: first.ticket.id, status: 'closed' });

    // Its group fails (another message's delivery): written again on its own, it finds the stored copy.
    const [other] = (await openTickets(1)) as [string];
    const otherId = crypto.randomUUID();
    const stored = await send(other, 'retried', otherId);
    failAtEnqueue = enqueued.length + 1;
    const [retried] = await Promise.all([
      send(other, 'retried', otherId),
      run(() => services.messages.sendVisitorMessage({ sessionId: other, body: 'fails the group' })),
    ]).finally(() => {
      failAtEnqueue = null;
    });
    expect(retried.message.id).toBe(stored.message.id);
    expect(await bodiesOf(other)).toEqual(['first', 'retried', 'fails the group']);

    await expect(send(sessionId, 'something else', clientId)).rejects.toMatchObject({ code: 'conflict' });
    // Without a client id the same text twice is two messages, as before.
    await run(() => services.messages.sendVisitorMessage({ sessionId: other, body: 'twice' }));
    await run(() => services.messages.sendVisitorMessage({ sessionId: other, body: 'twice' }));
    expect((await bodiesOf(other)).slice(-2)).toEqual(['twice', 'twice']);
  });
});
