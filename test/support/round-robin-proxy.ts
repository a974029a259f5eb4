import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a proxy never forwards them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

const withoutHopByHop = (headers: IncomingMessage['headers']) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

/**
 * A small HTTP reverse proxy on loopback, as a load balancer in front of several instances: each request
 * goes to the next upstream in turn. Bodies stream both ways (an event stream passes through chunk by
 * chunk). An upstream that refuses the connection is skipped for the next one (nginx's
 * `proxy_next_upstream error`); a request that reached an upstream is not sent again (GET and HEAD aside,
 * as nginx does): if that upstream fails before answering, the client gets 502, and if it dies mid-answer,
 * the client's connection is cut (a browser sees a network error). Each answer names its upstream in
 * `x-upstream`.
 */
export async function startRoundRobinProxy(upstreams: string[]) {
  const targets = upstreams.map((url) => new URL(url));
  // Connections to the upstreams are reused, as nginx's `keepalive`; a refused connect is never reused.
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  let turn = 0;
  const stats = {
    /** Requests passed to each upstream (by its URL's host). */
    served: new Map<string, number>(),
    /** Connections refused by an upstream, each followed by a try on the next. */
    refused: 0,
    /** Requests without a body (GET, HEAD) whose upstream failed before answering: sent to the next. */
    retried: 0,
    /** Requests that reached an upstream that failed before answering: answered 502. */
    badGateway: 0,
    /** Answers cut off mid-way because their upstream's connection broke. */
    cut: 0,
  };

  const forward = (req: IncomingMessage, res: ServerResponse, first: number, attempt: number) => {
    const target = targets[(first + attempt) % targets.length] as URL;
    let sent = false;
    const outgoing = request({
      agent,
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: {
        ...withoutHopByHop(req.headers),
        'x-forwarded-for': [req.headers['x-forwarded-for'], req.socket.remoteAddress]
          .filter(Boolean)
          .join(', '),
      },
    });
    // The body goes out only once the upstream accepted the connection, so a refused one can try the next.
    const send = () => {
      if (sent) return;
      sent = true;
      stats.served.set(target.host, (stats.served.get(target.host) ?? 0) + 1);
      if (req.readableEnded) outgoing.end();
      else req.pipe(outgoing);
    };
    outgoing.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', send);
      else send();
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const another = attempt + 1 < targets.length && !res.headersSent;
      if (another && !sent && error.code === 'ECONNREFUSED') {
        stats.refused += 1;
        forward(req, res, first, attempt + 1);
        return;
      }
      // As nginx: a request without a body whose method changes nothing may go to the next upstream even
      // once sent (e.g. a reused connection the upstream had just closed); others are never sent twice.
      if (
        another &&
        IDEMPOTENT.has(req.method ?? '') &&
        req.readableEnded &&
        !req.headers['content-length']
      ) {
        stats.retried += 1;
        forward(req, res, first, attempt + 1);
        return;
      }
      if (res.headersSent) {
        stats.cut += 1;
        res.destroy();
        return;
      }
      stats.badGateway += 1;
      res.writeHead(502, { 'content-type': 'application/json', 'x-upstream': target.host });
      res.end(
        JSON.stringify({
          error: { code: 'bad_gateway', message: `upstream: ${error.code ?? error.message}` },
        }),
      );
    });
    outgoing.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, {
        ...withoutHopByHop(answer.headers),
        'x-upstream': target.host,
      });
      // Headers at once (an event stream's first event may be minutes away), then each chunk as it comes.
      res.flushHeaders();
      pipeline(answer, res, (error) => {
        if (error && !res.writableFinished) {
          stats.cut += 1;
          res.destroy();
        }
      });
    });
    // The client went away (e.g. closed its event stream): so does the upstream request.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
  };

  const server = createServer((req, res) => {
    const first = turn;
    turn = (turn + 1) % targets.length;
    res.socket?.setNoDelay(true);
    forward(req, res, first, 0);
  });
  // Long-lived event streams: no idle timeout on the client side.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type RoundRobinProxy = Awaited<ReturnType<typeof startRoundRobinProxy>>;
