/**
 * Counts the SQL statements a process sends to its database, at the drivers: preloaded into the server
 * under test (`node --import ./bench/lib/statement-counter.ts main.ts`) with `STATEMENT_COUNT_FILE` set,
 * it writes `{ "statements": n }` to that file every 200 ms. PostgreSQL has no pg_stat_statements here,
 * so the count is taken where every query passes: `pg.Client#query` (the ORM's pool, pg-boss's own copy
 * of `pg`, the event bus's listening connection) and PGlite's `query` / `exec` / `transaction` (a
 * transaction counts its BEGIN and COMMIT). One call is one round trip: a multi-statement string counts 1.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const file = process.env.STATEMENT_COUNT_FILE;
let statements = 0;

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

function countCalls(prototype: Record<string, unknown>, method: string) {
  const original = prototype[method] as AnyFunction;
  prototype[method] = function (this: unknown, ...args: unknown[]) {
    statements += 1;
    return original.apply(this, args);
  };
}

/** The object on `prototype`'s chain that defines `method` itself. */
function ownerOf(prototype: object, method: string): Record<string, unknown> {
  let current: object | null = prototype;
  while (current && !Object.hasOwn(current, method)) current = Object.getPrototypeOf(current);
  if (!current) throw new Error(`statement counter: no ${method} to count`);
  return current as Record<string, unknown>;
}

if (file) {
  const require = createRequire(import.meta.url);
  const pgCopies = new Set<{ Client: { prototype: object } }>([require('pg')]);
  try {
    pgCopies.add(createRequire(require.resolve('pg-boss'))('pg'));
  } catch {
    // pg-boss uses the top-level copy.
  }
  for (const pg of pgCopies) countCalls(ownerOf(pg.Client.prototype, 'query'), 'query');

  const { PGlite } = await import('@electric-sql/pglite');
  const base = ownerOf(PGlite.prototype, 'query');
  countCalls(base, 'query');
  countCalls(ownerOf(PGlite.prototype, 'exec'), 'exec');
  const transactionOwner = ownerOf(PGlite.prototype, 'transaction');
  const transaction = transactionOwner.transaction as AnyFunction;
  transactionOwner.transaction = function (this: unknown, callback: unknown) {
    statements += 2;
    return transaction.call(this, async (tx: Record<string, unknown>) => {
      for (const method of ['query', 'exec', 'sql']) {
        const original = tx[method] as AnyFunction;
        tx[method] = (...args: unknown[]) => {
          statements += 1;
          return original(...args);
        };
      }
      return (callback as AnyFunction)(tx);
    });
  };

  const write = () => writeFileSync(file, JSON.stringify({ statements }));
  write();
  setInterval(write, 200).unref();
  process.on('exit', write);
}

/** Reads the count a server process last wrote. */
export async function readStatementCount(countFile: string): Promise<number> {
  const { readFileSync } = await import('node:fs');
  return (JSON.parse(readFileSync(countFile, 'utf8')) as { statements: number }).statements;
}
