import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchDatabase, createDatabase, type ServerProcess, startServer } from '../bench/lib/server.ts';
import { statementCounting } from '../bench/lib/statement-counter.ts';
import { type BenchTelegram, startTelegram } from '../bench/lib/telegram.ts';
import { agentReplies } from '../bench/scenarios/ingest.ts';
import { databaseKind } from './support/database.ts';

/**
 * Issue 15's budget, counted inside a real server process (`node main.ts`, as the bench runs it) by
 * bench/lib/statement-counter.ts: an agent's reply from Telegram to the visitor costs at most 4 database
 * statements (the update's check, the reply and its event; no separate mark, agent or conversation read).
 */
describe(`statements per agent reply (${databaseKind})`, () => {
  let database: BenchDatabase;
  let telegram: BenchTelegram;
  let server: ServerProcess;
  let counting: ReturnType<typeof statementCounting>;

  beforeAll(async () => {
    database = await createDatabase(
      databaseKind,
      process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    );
    telegram = await startTelegram(1);
    counting = statementCounting(join(database.dataDir, 'statements.json'));
    server = await startServer({ ...database.env, ...telegram.env, ...counting.env });
    await telegram.connect(server.url);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await telegram?.fake.close();
    await database?.drop();
  });

  it('an agent reply costs at most 4 statements, each committing by itself', async () => {
    const cost = await agentReplies(telegram, server.url, () => counting.snapshot(server.pid), 5);
    expect(cost.requests).toBe(5);
    expect(cost.statements).toBeLessThanOrEqual(4);
    expect(cost.commits).toBe(cost.statements);
  }, 60_000);
});
