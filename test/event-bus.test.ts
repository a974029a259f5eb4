import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../app/logger.ts';
import type { DomainEvent } from '../core/event-bus.ts';
import {
  createPostgresEventBus,
  EVENTS_CHANNEL,
  encodeEvent,
  MAX_NOTIFICATION_BYTES,
  type PostgresEventBus,
  pack,
} from '../events/postgres-event-bus.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { eventually } from './support/visitor.ts';

const POSTGRES_ONLY =
  'PostgreSQL only: LISTEN/NOTIFY across connections does not work on PGlite, which keeps the in-process bus';

const message = (sessionId: string, id: number, body = `message ${id}`): DomainEvent => ({
  type: 'message.created',
  sessionId,
  ticketId: 1,
  message: {
    id,
    ticket_id: 1,
    sender: 'agent',
    body,
    media_url: null,
    agent_name: 'Ann',
    created_at: new Date(0).toISOString(),
  },
});
const bodies = (events: DomainEvent[]) =>
  events.map((event) => (event.type === 'message.created' ? event.message.body : event.type));

describe('packing events into notifications', () => {
  it('fills each notification up to NOTIFY’s limit, items in order, and stops at the batch size', () => {
    const items = Array.from({ length: 40 }, (_, id) =>
      encodeEvent(message('p', id, 'x'.repeat(900)), 'i', id),
    ).flat();
    const { notifications, items: carried } = pack(items, 100);
    expect(carried).toBe(40);
    for (const notification of notifications)
      expect(Buffer.byteLength(notification)).toBeLessThanOrEqual(MAX_NOTIFICATION_BYTES);
    // About 1 KB each: 7 to a notification.
    expect(notifications.map((notification) => notification.split('\n').length)).toEqual([7, 7, 7, 7, 7, 5]);
    expect(notifications.join('\n')).toBe(items.join('\n'));
    expect(pack(items, 2)).toEqual({ notifications: notifications.slice(0, 2), items: 14 });
  });
});

describe.skipIf(databaseKind !== 'postgresql')(`the PostgreSQL event bus (${POSTGRES_ONLY})`, () => {
  let url: string;
  let drop: () => Promise<void>;
  const buses: PostgresEventBus[] = [];
  const logger = createLogger({ level: 'silent' });

  const startBus = async (onReconnect?: () => void, applicationName?: string) => {
    const bus = createPostgresEventBus({ url, logger, onReconnect, applicationName });
    await bus.start();
    buses.push(bus);
    return bus;
  };
  /** Ends a bus's listening connection, as a failover or a network cut would. */
  const terminateListener = async (applicationName: string) => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and application_name = $1`,
        [applicationName],
      );
      return rows.length;
    } finally {
      await admin.end();
    }
  };

  beforeAll(async () => {
    const database = await createTestDatabase();
    if (database.options.kind !== 'postgresql') throw new Error('unreachable');
    url = database.options.url;
    drop = database.drop;
  });
  afterAll(async () => {
    for (const bus of buses) await bus.stop();
    await drop?.();
  });

  it('delivers an event to the other instance once, and to its own listeners once (no echo)', async () => {
    const a = await startBus();
    const b = await startBus();
    const atA: DomainEvent[] = [];
    const atB: DomainEvent[] = [];
    a.subscribe('s1', (event) => atA.push(event));
    b.subscribe('*', (event) => atB.push(event));

    a.publish(message('s1', 1, 'from A'));
    b.publish(message('s1', 2, 'from B'));
    b.publish(message('other', 3, 'not for s1'));
    await eventually(async () => atA.length >= 2 && atB.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a duplicate to show up
    // Each instance hears its own events at once and the other's a moment later: no order across them.
    expect(bodies(atA).sort()).toEqual(['from A', 'from B']);
    expect(bodies(atB).sort()).toEqual(['from A', 'from B', 'not for s1']);
  });

  it('keeps the order of a burst, and carries events larger than the 8000-byte NOTIFY limit', async () => {
    const a = await startBus();
    const b = await startBus();
    const received: DomainEvent[] = [];
    b.subscribe('burst', (event) => received.push(event));
    const huge = '€'.repeat(4000); // 12,000 bytes of UTF-8 in one message body
    const expected: string[] = [];
    for (let id = 1; id <= 300; id += 1) {
      const body = id % 100 === 50 ? `${huge}${id}` : `burst ${id}`;
      expected.push(body);
      a.publish(message('burst', id, body));
    }
    await eventually(async () => received.length >= 300);
    expect(bodies(received)).toEqual(expected);
  });

  it('sends the events of one tick in one notification, delivered in order', async () => {
    const a = await startBus();
    const b = await startBus();
    const received: DomainEvent[] = [];
    b.subscribe('tick', (event) => received.push(event));
    // What goes over the wire, heard by a plain listener.
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const notifications: string[] = [];
    listener.on('notification', (notification) => notifications.push(notification.payload ?? ''));
    await listener.query(`listen ${EVENTS_CHANNEL}`);
    try {
      const expected = Array.from({ length: 10 }, (_, index) => `tick ${index + 1}`);
      for (const [index, body] of expected.entries()) a.publish(message('tick', index + 1, body));
      await eventually(async () => received.length >= 10);
      expect(bodies(received)).toEqual(expected);
      expect(notifications).toHaveLength(1);
      expect(notifications[0]?.split('\n')).toHaveLength(10);
    } finally {
      await listener.end();
    }
  });

  it('reconnects after its connection is killed; events published meanwhile still go out', async () => {
    let reconnects = 0;
    const a = await startBus(() => (reconnects += 1), 'switchboard-events-a');
    const b = await startBus();
    const atA: DomainEvent[] = [];
    const atB: DomainEvent[] = [];
    a.subscribe('r', (event) => atA.push(event));
    b.subscribe('r', (event) => atB.push(event));

    expect(await terminateListener('switchboard-events-a')).toBe(1);
    a.publish(message('r', 1, 'published while down'));
    await eventually(async () => a.connected && reconnects > 0);
    await eventually(async () => atB.length >= 1);
    b.publish(message('r', 2, 'after the reconnect'));
    await eventually(async () => atA.some((event) => bodies([event])[0] === 'after the reconnect'));
    expect(bodies(atB)).toEqual(['published while down', 'after the reconnect']);
    expect(bodies(atA)).toEqual(['published while down', 'after the reconnect']);
  });

  it('announces a change to the other instances (not to itself), and after a reconnect to its own listeners', async () => {
    const a = await startBus(undefined, 'switchboard-events-announcer');
    const b = await startBus(undefined, 'switchboard-events-hearer');
    const heard = { a: 0, b: 0, bOther: 0 };
    a.onAnnouncement('settings', () => (heard.a += 1));
    b.onAnnouncement('settings', () => (heard.b += 1));
    b.onAnnouncement('other', () => (heard.bOther += 1));

    a.announce('settings');
    await eventually(async () => heard.b === 1);
    // An event after the announcement: once B has it, B would have heard a second announcement too.
    const atB: DomainEvent[] = [];
    b.subscribe('marker', (event) => atB.push(event));
    a.publish(message('marker', 1));
    await eventually(async () => atB.length === 1);
    expect(heard).toEqual({ a: 0, b: 1, bOther: 0 });

    // Announcements sent while B's connection was down are lost to it: the reconnect stands in for them.
    expect(await terminateListener('switchboard-events-hearer')).toBe(1);
    await eventually(async () => heard.b === 2);
    expect(heard).toEqual({ a: 0, b: 2, bOther: 1 });
  });
});
