/**
 * The SSE memory baseline: a bare node:http server that answers every GET with an event stream it keeps
 * open (headers, one `retry:` line, a heartbeat timer), and nothing else: no Koa, no auth, no database.
 * Run by bench/scenarios/sse-memory.ts.
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.write('retry: 1500\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  req.on('close', () => clearInterval(heartbeat));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
