import { PassThrough } from 'node:stream';
import type Koa from 'koa';
import { RateLimited } from '../core/errors.ts';

const HEARTBEAT_MS = 25_000;
/** Tells EventSource-style clients how soon to reconnect. */
const RETRY_MS = 1500;
/** What a client refused for its address's stream count is told to wait (the widget polls meanwhile). */
const FULL_RETRY_AFTER_SECONDS = 30;

export type EventStream = {
  send(event: string, data: unknown, id?: number): void;
  readonly closed: boolean;
  onClose(callback: () => void): void;
};

export type EventStreamLimits = {
  /** Streams of one owner (a visitor session, an agent); one more ends the owner's oldest. */
  perOwner: number;
  /** Streams from one client address; beyond, new ones are refused with 429. */
  perIp: number;
};

export type EventStreams = ReturnType<typeof createEventStreams>;

type OpenStream = { owner: string; ip: string; close: () => void; hint: (retryMs: number) => void };

/**
 * Server-Sent Events responses, capped per owner and per client address, and tracked so that shutdown
 * can end them all.
 *
 * Per owner the newest wins: a reloaded tab leaves its old stream behind until the network notices, so
 * the oldest is ended (a client that is still there resumes with Last-Event-ID). Per address the
 * existing streams win, so that one address cannot crowd out the others: new ones get 429.
 */
export function createEventStreams(limits: EventStreamLimits) {
  /** Every open stream, per owner in opening order (a Set keeps insertion order). */
  const byOwner = new Map<string, Set<OpenStream>>();
  const perIp = new Map<string, number>();
  let size = 0;

  const ownerStreams = (owner: string) => byOwner.get(owner) ?? new Set<OpenStream>();
  const oldestOf = (owner: string) => ownerStreams(owner).values().next().value;

  /** Throws RateLimited when the address has no room, counting the stream that opening would end. */
  const admit = (ip: string, owner: string) => {
    const oldest = ownerStreams(owner).size >= limits.perOwner ? oldestOf(owner) : undefined;
    const freed = oldest?.ip === ip ? 1 : 0;
    if ((perIp.get(ip) ?? 0) - freed >= limits.perIp) throw new RateLimited(FULL_RETRY_AFTER_SECONDS);
  };

  const track = (stream: OpenStream) => {
    const streams = ownerStreams(stream.owner);
    byOwner.set(stream.owner, streams);
    streams.add(stream);
    perIp.set(stream.ip, (perIp.get(stream.ip) ?? 0) + 1);
    size++;
  };

  const untrack = (stream: OpenStream) => {
    const streams = byOwner.get(stream.owner);
    if (!streams?.delete(stream)) return;
    if (streams.size === 0) byOwner.delete(stream.owner);
    const left = (perIp.get(stream.ip) ?? 1) - 1;
    if (left > 0) perIp.set(stream.ip, left);
    else perIp.delete(stream.ip);
    size--;
  };

  return {
    /** Open streams in all. */
    get size() {
      return size;
    },

    /** Open streams of one owner. */
    countOf(owner: string) {
      return byOwner.get(owner)?.size ?? 0;
    },

    /**
     * Checks before any work that a stream for `owner` from this client could open; throws RateLimited
     * (429 with Retry-After) when its address has too many. `open` checks again.
     */
    admit(ctx: Koa.Context, owner: string) {
      admit(ctx.ip, owner);
    },

    /**
     * Turns the response into an event stream for `owner` that lives until the client leaves, the owner
     * opens too many, or the server stops. Throws RateLimited, before touching the response, when the
     * client's address has too many streams.
     */
    open(ctx: Koa.Context, owner: string): EventStream {
      const ip = ctx.ip;
      admit(ip, owner);
      while (ownerStreams(owner).size >= limits.perOwner) oldestOf(owner)?.close();

      const body = new PassThrough();
      const closeCallbacks: (() => void)[] = [];
      let closed = false;
      const stream: OpenStream = {
        owner,
        ip,
        close: () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          untrack(stream);
          body.end();
          for (const callback of closeCallbacks) callback();
        },
        hint: (retryMs) => {
          if (!closed) body.write(`: the server is stopping\nretry: ${retryMs}\n\n`);
        },
      };
      const heartbeat = setInterval(() => body.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      track(stream);

      ctx.req.socket.setTimeout(0);
      ctx.req.socket.setNoDelay(true);
      ctx.req.on('close', stream.close);
      ctx.set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      });
      ctx.status = 200;
      ctx.body = body;
      body.on('close', stream.close);
      body.write(`retry: ${RETRY_MS}\n\n`);

      return {
        send(event, data, id) {
          if (closed) return;
          body.write(
            `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
          );
        },
        get closed() {
          return closed;
        },
        onClose(callback) {
          if (closed) callback();
          else closeCallbacks.push(callback);
        },
      };
    },

    /**
     * Ends every stream. With `retryMs` (shutdown), each first gets that reconnection delay as an SSE
     * `retry:` field, spread over up to twice as long so that clients do not all come back at once
     * (to another instance, or to this one after its restart); they resume with Last-Event-ID.
     */
    closeAll({ retryMs }: { retryMs?: number } = {}) {
      for (const streams of [...byOwner.values()]) {
        for (const stream of [...streams]) {
          if (retryMs !== undefined) stream.hint(retryMs + Math.floor(Math.random() * retryMs));
          stream.close();
        }
      }
    },
  };
}
