/**
 * Counts the database statements and commits of the server under test, per HTTP route and in the
 * background (workers, timers). Loaded into the server process with
 * `NODE_OPTIONS=--import=<this file>` and `BENCH_STATEMENTS_FILE=<path>` (see `statementCounting`
 * below); on SIGUSR2 it writes a snapshot there. Both drivers are counted: node-postgres (every copy
 * of `pg` the server loads: the ORM's and pg-boss's) and PGlite (queries, multi-statement `exec`, and
 * the BEGIN / COMMIT of its transactions).
 *
 * A statement counts for the request whose asynchronous context issued it (AsyncLocalStorage from the
 * `request` event on), so work a request starts and leaves running (events, nudges) counts for it too,
 * and a statement issued outside any request counts as background. A commit is a COMMIT, or a text run
 * outside a transaction (it commits by itself, all its statements together). With
 * `BENCH_STATEMENTS_DEBUG=1` the server writes each text that commits by itself to its stderr (its first
 * 150 characters). With `BENCH_STATEMENTS_LOG=<path>` it appends every statement to that file, one a line:
 * its route, then its first 200 characters (to see which statements a route runs).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = resolve(import.meta.dirname, '../..');

export type StatementCounts = { requests: number; statements: number; commits: number };
export type StatementSnapshot = {
  seq: number;
  /** Process CPU (user + system), milliseconds. */
  cpuMs: number;
  /** Per `METHOD /path` (ids replaced by `:id`), and `background`. */
  routes: Record<string, StatementCounts>;
};

const FILE_ENV = 'BENCH_STATEMENTS_FILE';

/** In the server process: install the counters. */
async function install(file: string) {
  const context = new AsyncLocalStorage<StatementCounts>();
  const routes = new Map<string, StatementCounts>();
  const background: StatementCounts = { requests: 0, statements: 0, commits: 0 };
  routes.set('background', background);
  const current = () => context.getStore() ?? background;
  const logFile = process.env.BENCH_STATEMENTS_LOG;
  const routeOf = (counts: StatementCounts) =>
    [...routes].find(([, value]) => value === counts)?.[0] ?? 'background';
  const log = (counts: StatementCounts, statement: string) => {
    if (logFile)
      appendFileSync(logFile, `${routeOf(counts)}\t${statement.replace(/\s+/g, ' ').slice(0, 200)}\n`);
  };

  /**
   * Statement texts: a multi-statement text counts each of its statements; those of it that run outside
   * an explicit transaction commit together (PostgreSQL runs one simple query as one implicit transaction).
   */
  const count = (text: string, inTransaction: boolean): boolean => {
    const counts = current();
    let open = inTransaction;
    let implicit = '';
    const commitImplicit = () => {
      if (!implicit) return;
      counts.commits += 1;
      if (process.env.BENCH_STATEMENTS_DEBUG) process.stderr.write(`AUTOCOMMIT ${implicit.slice(0, 150)}\n`);
      implicit = '';
    };
    for (const part of text.split(';')) {
      const statement = part.trim().toLowerCase();
      if (!statement) continue;
      counts.statements += 1;
      log(counts, statement);
      if (/^(begin|start transaction)\b/.test(statement)) {
        commitImplicit();
        open = true;
      } else if (/^(commit|end)\b/.test(statement)) {
        counts.commits += 1;
        open = false;
      } else if (/^rollback\b/.test(statement) && !/^rollback to\b/.test(statement)) open = false;
      else if (!open) implicit ||= statement;
    }
    commitImplicit();
    return open;
  };

  const originalEmit = http.Server.prototype.emit as (this: http.Server, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function emit(this: http.Server, event: string, ...args: unknown[]) {
    if (event !== 'request') return originalEmit.apply(this, [event, ...args]);
    const request = args[0] as http.IncomingMessage;
    const path = (request.url ?? '').split('?')[0] ?? '';
    const key = `${request.method} ${path
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id')
      .replace(/\/\d+(?=\/|$)/g, '/:n')
      .replace(/\/bot[^/]+/, '/bot:token')}`;
    let counts = routes.get(key);
    if (!counts) {
      counts = { requests: 0, statements: 0, commits: 0 };
      routes.set(key, counts);
    }
    counts.requests += 1;
    return context.run(counts, () => originalEmit.apply(this, [event, ...args]));
  } as typeof http.Server.prototype.emit;

  // node-postgres: the ORM's copy and pg-boss's own, when it has one.
  const requireFrom = (from: string) => {
    try {
      return createRequire(from)('pg') as typeof import('pg');
    } catch {
      return undefined;
    }
  };
  const inTransaction = new WeakMap<object, boolean>();
  const pgCopies = new Set(
    [
      requireFrom(resolve(ROOT, 'package.json')),
      requireFrom(resolve(ROOT, 'node_modules/pg-boss/package.json')),
    ]
      .filter((pg) => pg !== undefined)
      .map((pg) => pg.Client),
  );
  for (const Client of pgCopies) {
    const query = Client.prototype.query;
    Client.prototype.query = function countedQuery(this: object, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      const text = typeof config === 'string' ? config : (config?.text ?? '');
      inTransaction.set(this, count(text, inTransaction.get(this) ?? false));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  }

  // PGlite: one backend; its transactions run BEGIN / COMMIT privately, so they are counted here.
  const { PGlite } = await import('@electric-sql/pglite');
  type Method = (this: unknown, ...args: unknown[]) => Promise<unknown>;
  const proto = PGlite.prototype as unknown as Record<'query' | 'exec' | 'transaction', Method>;
  const { query, exec, transaction } = proto;
  let open = false;
  proto.query = function countedQuery(this: unknown, text: unknown, ...rest: unknown[]) {
    open = count(String(text), open);
    return query.call(this, text, ...rest);
  };
  proto.exec = function countedExec(this: unknown, text: unknown, ...rest: unknown[]) {
    open = count(String(text), open);
    return exec.call(this, text, ...rest);
  };
  type Tx = Record<string, ((...args: unknown[]) => unknown) | boolean>;
  proto.transaction = function countedTransaction(this: unknown, body: unknown) {
    const counts = current();
    return transaction.call(this, async (tx: Tx) => {
      counts.statements += 1; // BEGIN
      log(counts, 'begin (pglite transaction)');
      const call = (name: string, args: unknown[]) => (tx[name] as (...a: unknown[]) => unknown)(...args);
      const counted: Tx = {
        query: (text: unknown, ...rest: unknown[]) => {
          count(String(text), true);
          return call('query', [text, ...rest]);
        },
        exec: (text: unknown, ...rest: unknown[]) => {
          count(String(text), true);
          return call('exec', [text, ...rest]);
        },
        sql: (...args: unknown[]) => {
          count('select', true);
          return call('sql', args);
        },
        rollback: () => call('rollback', []),
        listen: (...args: unknown[]) => call('listen', args),
      };
      Object.defineProperty(counted, 'closed', { get: () => tx.closed });
      try {
        return await (body as (tx: Tx) => Promise<unknown>)(counted);
      } finally {
        counts.statements += 1; // COMMIT or ROLLBACK
        log(counts, 'commit (pglite transaction)');
        counts.commits += 1;
      }
    });
  };

  let seq = 0;
  process.on('SIGUSR2', () => {
    seq += 1;
    const cpu = process.cpuUsage();
    const snapshot: StatementSnapshot = {
      seq,
      cpuMs: (cpu.user + cpu.system) / 1000,
      routes: Object.fromEntries([...routes].map(([key, value]) => [key, { ...value }])),
    };
    writeFileSync(file, JSON.stringify(snapshot));
  });
}

const file = process.env[FILE_ENV];
if (file && process.argv[1]?.endsWith('main.ts')) await install(file);

/** In the bench: the environment that loads the counters into a server, and a way to read them. */
export function statementCounting(file: string) {
  return {
    env: {
      NODE_OPTIONS: `--import=${resolve(import.meta.dirname, 'statement-counter.ts')}`,
      [FILE_ENV]: file,
    },
    /** Asks the server (process `pid`) for its counts now. */
    async snapshot(pid: number): Promise<StatementSnapshot> {
      const before = readSeq(file);
      process.kill(pid, 'SIGUSR2');
      const deadline = performance.now() + 10_000;
      for (;;) {
        if (readSeq(file) > before) return JSON.parse(readFileSync(file, 'utf8')) as StatementSnapshot;
        if (performance.now() > deadline) throw new Error('the server did not write its statement counts');
        await sleep(10);
      }
    },
  };
}

function readSeq(file: string): number {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as StatementSnapshot).seq;
  } catch {
    return 0;
  }
}

/** Every statement counted between two snapshots: every route's and the background's. */
export function statementsBetween(before: StatementSnapshot, after: StatementSnapshot): number {
  const total = (snapshot: StatementSnapshot) =>
    Object.values(snapshot.routes).reduce((sum, counts) => sum + counts.statements, 0);
  return total(after) - total(before);
}

/** What `route` cost between two snapshots, per request; and the background's statements per request. */
export function perRequest(before: StatementSnapshot, after: StatementSnapshot, route: string) {
  const delta = (key: string, field: keyof StatementCounts) =>
    (after.routes[key]?.[field] ?? 0) - (before.routes[key]?.[field] ?? 0);
  const requests = delta(route, 'requests');
  const per = (value: number) => (requests > 0 ? value / requests : Number.NaN);
  return {
    requests,
    statements: per(delta(route, 'statements')),
    commits: per(delta(route, 'commits')),
    backgroundStatements: per(delta('background', 'statements')),
    backgroundCommits: per(delta('background', 'commits')),
    cpuMs: per(after.cpuMs - before.cpuMs),
  };
}
