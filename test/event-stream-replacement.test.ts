import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseOptions } from '../db/orm.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { openSse } from './support/sse.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually } from './support/visitor.ts';

/**
 * One stream per session and per address: a session's new stream replaces its old one
 * (server/event-streams.ts), but only once it is open. A new stream whose database reads fail leaves
 * the old one streaming, with its place among the address's streams.
 */
let database: { options: DatabaseOptions; drop: () => Promise<void> };
let app: TestApp;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(
    { EVENT_STREAMS_PER_SESSION: '1', EVENT_STREAMS_PER_IP: '1' },
    { database: database.options },
  );
  http = httpClient(app.url);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/**
 * Makes the next read of a session's ticket fail as a lost database connection does. On PostgreSQL
 * for real: the tickets table is locked, and the backend that waits for it is terminated (57P01, as
 * when the server restarts). PGlite runs in-process with one backend, which cannot be killed alone:
 * there the session service's read (the routes' dependency) fails once with the error `pg` gives.
 */
async function failNextTicketRead(): Promise<{ reached: Promise<void>; fail: () => Promise<void> }> {
  if (database.options.kind === 'postgresql') {
    const admin = new pg.Client({ connectionString: database.options.url });
    await admin.connect();
    await admin.query('begin');
    await admin.query('lock table tickets in access exclusive mode');
    const blocked = async () => {
      const { rows } = await admin.query<{ pid: number }>(
        'select pid from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))',
      );
      return rows.map((row) => row.pid);
    };
    return {
      reached: eventually(async () => (await blocked()).length > 0).then(() => undefined),
      fail: async () => {
        for (const pid of await blocked()) await admin.query('select pg_terminate_backend($1)', [pid]);
        await admin.query('rollback');
        await admin.end();
      },
    };
  }
  const sessions = app.services.sessions;
  const read = sessions.latestTicket;
  const reached = Promise.withResolvers<void>();
  const failure = Promise.withResolvers<never>();
  sessions.latestTicket = () => {
    sessions.latestTicket = read;
    reached.resolve();
    return failure.promise;
  };
  return {
    reached: reached.promise,
    fail: async () =>
      failure.reject(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
  };
}

const bodyOf = (data: unknown) => (data as { body?: string }).body;

describe(`a session's new event stream replaces the old one once it is open (${databaseKind})`, () => {
  it('a new stream whose database read fails (503) leaves the old one streaming, with its place', async () => {
    const visitor = await http.newSession();
    const other = await http.newSession();
    const path = `/api/session/${visitor.sessionId}/events`;
    const auth = { authorization: `Bearer ${visitor.token}` };
    const say = async (body: string) => {
      const sent = await http.post(`/api/session/${visitor.sessionId}/messages`, {
        token: visitor.token,
        json: { body },
      });
      expect(sent.status).toBe(201);
    };

    const first = await openSse(`${app.url}${path}`, auth);
    expect(first.status).toBe(200);
    await say('before');
    await first.waitFor((events) => events.some((event) => bodyOf(event.data) === 'before'));

    const fault = await failNextTicketRead();
    const failing = fetch(`${app.url}${path}`, { headers: auth });
    await fault.reached;
    await fault.fail();
    const refused = await failing;
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe('service_unavailable');

    // The old stream still streams.
    await say('after the failed stream');
    await first.waitFor((events) => events.some((event) => bodyOf(event.data) === 'after the failed stream'));
    expect(app.eventStreams.countOf(visitor.sessionId)).toBe(1);
    // And it kept the address's one place: another session's stream from here is refused.
    const crowded = await fetch(`${app.url}/api/session/${other.sessionId}/events`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(crowded.status).toBe(429);
    expect((await crowded.json()).error.code).toBe('rate_limited');

    // A new stream that opens replaces it: the old one ends, the new one streams.
    const second = await openSse(`${app.url}${path}`, auth);
    expect(second.status).toBe(200);
    await first.ended;
    await say('to the new stream');
    await second.waitFor((events) => events.some((event) => bodyOf(event.data) === 'to the new stream'));
    expect(first.events.some((event) => bodyOf(event.data) === 'to the new stream')).toBe(false);
    expect(app.eventStreams.countOf(visitor.sessionId)).toBe(1);

    // Its place is given back when it ends.
    await second.close();
    await first.close();
    await eventually(async () => app.eventStreams.size === 0);
    const admitted = await openSse(`${app.url}/api/session/${other.sessionId}/events`, {
      authorization: `Bearer ${other.token}`,
    });
    expect(admitted.status).toBe(200);
    await admitted.close();
  });
});
