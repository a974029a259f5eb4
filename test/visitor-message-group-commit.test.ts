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
 * enqueue of a moment with a real database error (inside that transaction).
 */
const enqueued: { job: OutboundJob; tx: unknown }[] = [];
let failAtEnqueue: number | null = null;
const outbox: Outbox = {
  async enqueue(tx: EntityManager, job: OutboundJob) {
    enqueued.push({ job, tx: tx.getTransactionContext() });
    if (failAtEnqueue !== null && enqueued.length === failAtEnqueue) await tx.execute('select 1 / 0');
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

  it('a database error in the middle of a group fails every message of it; none is stored or published', async () => {
    const sessions = await openTickets(5);
    enqueued.length = 0;
    events.length = 0;
    failAtEnqueue = 3;

    const results = await sendTogether(sessions, 'lost?').finally(() => {
      failAtEnqueue = null;
    });

    expect(results.map((result) => result.status)).toEqual(Array(5).fill('rejected'));
    expect(events.filter((event) => event.type === 'message.created')).toEqual([]);
    for (const sessionId of sessions) expect(await bodiesOf(sessionId)).toEqual(['first']);

    // The sessions go on: the next messages are stored.
    const again = await sendTogether(sessions, 'again');
    expect(again.every((result) => result.status === 'fulfilled')).toBe(true);
    for (const sessionId of sessions) expect(await bodiesOf(sessionId)).toEqual(['first', 'again']);
  });
});
