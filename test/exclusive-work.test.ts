import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdvisoryLock, type ExclusiveLock, soleInstanceLock } from '../db/exclusive-lock.ts';
import { type ExclusiveRunner, runExclusively } from '../db/exclusive-work.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { eventually } from './support/visitor.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** Work that records when it starts and stops. */
function recordedWork(name: string, events: string[]) {
  return async () => {
    events.push(`${name} started`);
    let end = () => {};
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    return {
      ended,
      stop: async () => {
        events.push(`${name} stopped`);
        end();
      },
    };
  };
}

/** The lock, counting the attempts to take it. */
function counted(lock: ExclusiveLock) {
  const counter = { attempts: 0 };
  return {
    counter,
    lock: {
      ...lock,
      acquire: () => {
        counter.attempts += 1;
        return lock.acquire();
      },
    },
  };
}

describe('exclusive work on the one embedded instance', () => {
  it('runs at once and ends at stop', async () => {
    const events: string[] = [];
    const runner = runExclusively({
      lock: soleInstanceLock,
      work: recordedWork('only', events),
      what: 'testing',
      logger: silent,
    });
    await eventually(async () => runner.running);
    await runner.stop();
    expect(events).toEqual(['only started', 'only stopped']);
    expect(runner.running).toBe(false);
  });

  it('stopped while the work is starting: the work is stopped once it started', async () => {
    const events: string[] = [];
    let started = () => {};
    const starting = new Promise<void>((resolve) => {
      started = resolve;
    });
    const work = recordedWork('slow', events);
    let asked = false;
    const runner = runExclusively({
      lock: soleInstanceLock,
      work: async () => {
        asked = true;
        await starting;
        return work();
      },
      what: 'testing',
      logger: silent,
    });
    await eventually(async () => asked);
    const stopped = runner.stop();
    started();
    await stopped;
    expect(events).toEqual(['slow started', 'slow stopped']);
  });
});

describe.skipIf(databaseKind !== 'postgresql')(
  'exclusive work across instances (PostgreSQL only: a session advisory lock)',
  () => {
    let url: string;
    let drop: () => Promise<void> = async () => {};
    let admin: pg.Client;
    const runners: ExclusiveRunner[] = [];

    const connectionsOf = async (applicationName: string) => {
      const { rows } = await admin.query<{ count: number }>(
        'select count(*)::int as count from pg_stat_activity where application_name = $1',
        [applicationName],
      );
      return rows[0]?.count ?? 0;
    };

    beforeAll(async () => {
      const database = await createTestDatabase();
      drop = database.drop;
      url = (database.options as { url: string }).url;
      admin = new pg.Client({ connectionString: url });
      await admin.connect();
    });

    afterAll(async () => {
      for (const runner of runners) await runner.stop();
      await admin?.end();
      await drop();
    });

    it('one runs; the other keeps trying; a lost connection stops the first at once and the other takes over', async () => {
      const events: string[] = [];
      const start = (name: string) => {
        const { lock, counter } = counted(
          createAdvisoryLock({ url, key: 4242n, applicationName: `test-lock-${name}` }),
        );
        const runner = runExclusively({
          lock,
          work: recordedWork(name, events),
          what: 'testing',
          logger: silent,
          attemptMs: 100,
        });
        runners.push(runner);
        return { runner, counter };
      };

      const first = start('first');
      await eventually(async () => first.runner.running);
      const second = start('second');
      await eventually(async () => second.counter.attempts >= 3);
      expect(second.runner.running).toBe(false);
      expect(events).toEqual(['first started']);

      // The first's lock connection is cut (as when its database connection drops).
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'test-lock-first'`,
      );
      await eventually(async () => events.includes('first stopped') && events.includes('second started'));
      expect(second.runner.running).toBe(true);
      expect(first.runner.running).toBe(false);
      // The first goes back to trying, without taking the lock from the second.
      const attempts = first.counter.attempts;
      await eventually(async () => first.counter.attempts >= attempts + 3);
      expect(first.runner.running).toBe(false);
      expect(events.filter((event) => event === 'first started')).toHaveLength(1);

      // A graceful stop ends the work, then frees the lock (its connection closes): the first takes over.
      await second.runner.stop();
      await eventually(async () => first.runner.running);
      await eventually(async () => (await connectionsOf('test-lock-second')) === 0);
      await first.runner.stop();
      expect(events).toEqual([
        'first started',
        ...(events.indexOf('first stopped') < events.indexOf('second started')
          ? ['first stopped', 'second started']
          : ['second started', 'first stopped']),
        'second stopped',
        'first started',
        'first stopped',
      ]);
      await eventually(async () => (await connectionsOf('test-lock-first')) === 0);
    }, 30_000);
  },
);
