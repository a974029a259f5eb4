/**
 * The SSE memory baseline: a bare node:http server that answers every GET with an event stream it keeps
 * open, and nothing else: no Koa, no auth, no database. What goes on the wire is what the product sends
 * for a visitor's stream: the same headers (a fresh request id each), the `retry:` line, a keep-alive
 * comment from one timer for all streams. Run by bench/scenarios/sse-memory.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';

const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  Vary: 'Origin',
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

const streams = new Set<ServerResponse>();
setInterval(() => {
  for (const res of streams) res.write(': keep-alive\n\n');
}, 25_000).unref();

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(200, { ...HEADERS, 'X-Request-Id': randomUUID() });
  res.write('retry: 1500\n\n');
  streams.add(res);
  res.on('close', () => streams.delete(res));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
