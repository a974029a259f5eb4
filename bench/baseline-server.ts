/**
 * The ingest baseline: a bare Koa app with one route that parses the JSON body and does one INSERT into
 * the same database (same driver, same pool, same PGlite data directory) as the product would. No
 * authentication, no validation, no ticket logic, no job, no event. Run by bench/scenarios/ingest.ts.
 */
import { createServer } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { createOrm, databaseOptions } from '../db/orm.ts';

const orm = await createOrm(
  databaseOptions({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? './data' }),
);
const connection = orm.em.getConnection();
await connection.execute(
  'create table if not exists bench_baseline (id bigserial primary key, session_id text not null, body text not null, created_at timestamptz not null default now())',
);

const app = new Koa();
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb' }));
app.use(async (ctx) => {
  if (ctx.method === 'GET' && ctx.path === '/healthz') {
    ctx.body = { status: 'ok' };
    return;
  }
  const match = /^\/bench\/session\/([^/]+)\/messages$/.exec(ctx.path);
  if (ctx.method !== 'POST' || !match) {
    ctx.status = 404;
    return;
  }
  const { body } = ctx.request.body as { body: string };
  const rows = await connection.execute<{ id: number }[]>(
    'insert into bench_baseline (session_id, body) values (?, ?) returning id',
    [match[1], body],
  );
  ctx.status = 201;
  ctx.body = { id: rows[0]?.id };
});

const server = createServer(app.callback());
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const stop = () => server.close(() => orm.close().then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
