import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import { RateLimited } from '../core/errors.ts';
import { createConcurrencyLimiter } from './concurrency-limiter.ts';
import type { Release } from './limits/limit-store.ts';
import type { PlaceLimiter } from './limits/visitor-limits.ts';

/** Comments on idle streams, so that proxies and clients do not take them for dead. */
const HEARTBEAT_MS = 25_000;
/** Tells EventSource-style clients how soon to reconnect. */
const RETRY_MS = 1500;
/** What a client refused for its address's stream count is told to wait (the widget polls meanwhile). */
const FULL_RETRY_AFTER_SECONDS = 30;

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
} as const;

export type EventStream = {
  send(event: string, data: unknown, id?: number): void;
  readonly closed: boolean;
  onClose(callback: () => void): void;
};

/** Where a stream goes: the raw response, the client's address, and the headers to answer with. */
export type StreamTarget = {
  res: ServerResponse;
  ip: string;
  /** Sent with the stream's own (content type, caching): request id, security and CORS headers. */
  headers: Readonly<Record<string, string>>;
};

export type EventStreamLimits = {
  /** Streams of one owner (a visitor session, an agent); one more ends the owner's oldest. */
  perOwner: number;
  /** Streams from one client address; beyond, new ones are refused with 429. */
  perIp: number;
  /**
   * Where the places per address are counted (limits/visitor-limits.ts: shared by the instances when
   * the limits are); absent: in this process, `perIp` of them.
   */
  places?: PlaceLimiter;
  /** How often every open stream gets a keep-alive comment (one timer for all); 25 s by default. */
  heartbeatMs?: number;
};

export type EventStreams = ReturnType<typeof createEventStreams>;

/** A reserved place, and the stream that lent it (the owner's oldest, which the new stream replaces). */
type Reserved = { place: Release; lender?: OpenStream };

/**
 * One open stream. An idle stream holds this, its response and its subscriber's state: nothing of the
 * request that opened it (no Koa context, no logger, no entity manager).
 */
class OpenStream implements EventStream {
  readonly owner: string;
  readonly ip: string;
  readonly res: ServerResponse;
  /** Its place among its address's streams, given back when it closes (or lent to its successor). */
  place: Release | undefined;
  closed = false;
  private readonly untrack: (stream: OpenStream) => void;
  /** What runs once it closes (one function: a stream has one subscriber). */
  private onClosed: (() => void) | undefined;

  constructor(
    owner: string,
    ip: string,
    res: ServerResponse,
    place: Release | undefined,
    untrack: (stream: OpenStream) => void,
  ) {
    this.owner = owner;
    this.ip = ip;
    this.res = res;
    this.place = place;
    this.untrack = untrack;
  }

  send(event: string, data: unknown, id?: number) {
    this.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  write(chunk: string) {
    if (!this.closed) this.res.write(chunk);
  }

  onClose(callback: () => void) {
    if (this.closed) return callback();
    const before = this.onClosed;
    this.onClosed = before
      ? () => {
          before();
          callback();
        }
      : callback;
  }

  /** Ends the response; a no-op once closed, so it is also the response's 'close' listener. */
  readonly close = () => {
    if (this.closed) return;
    this.closed = true;
    this.untrack(this);
    this.place?.();
    this.place = undefined;
    this.res.end();
    const onClosed = this.onClosed;
    this.onClosed = undefined;
    onClosed?.();
  };
}

/**
 * Server-Sent Events responses, capped per owner and per client address, and tracked so that shutdown
 * can end them all. They are written straight to the raw node:http response.
 *
 * Per owner the newest wins: a reloaded tab leaves its old stream behind until the network notices, so
 * the oldest is ended once the new one is open (a client that is still there resumes with Last-Event-ID;
 * a new stream that fails to open ends nothing). Per address the
 * existing streams win, so that one address cannot crowd out the others: new ones get 429. The places per
 * address may be shared by the instances (`places`); the per-owner rule is this instance's: it ends
 * stale streams here, and each instance bounds its own (README, "Several instances").
 *
 * One heartbeat timer serves every stream. It runs while any is open, in the async context this registry
 * was created in: a timer started in a request's context would keep that request's state alive.
 */
export function createEventStreams(limits: EventStreamLimits) {
  const heartbeatMs = limits.heartbeatMs ?? HEARTBEAT_MS;
  /** Every open stream, per owner in opening order (a few each: an array is the smallest). */
  const byOwner = new Map<string, OpenStream[]>();
  const places = limits.places ?? localPlaces(limits.perIp);
  /** Each owner's latest reservation, settled once it ends: the next one of the owner waits for it. */
  const turns = new Map<string, Promise<void>>();
  /** Reservations not yet opened: what hands their place (and the stream that lent it) to the stream. */
  const reservations = new Map<Release, () => Reserved>();

  /**
   * A place for a stream of `owner` from `ip`. A full owner's oldest stream from there lends its own: it
   * streams on without one until the new stream opens (which ends it) or fails (it gets it back).
   */
  const placeFor = async (ip: string, owner: string): Promise<Reserved> => {
    const streams = ownerStreams(owner);
    const oldest = streams.length >= limits.perOwner ? streams[0] : undefined;
    if (oldest?.ip === ip && oldest.place) {
      const place = oldest.place;
      oldest.place = undefined;
      return { place, lender: oldest };
    }
    const place = await places.acquire(ip);
    if (!place) throw new RateLimited(FULL_RETRY_AFTER_SECONDS);
    return { place };
  };
  let size = 0;
  const outsideRequests = AsyncLocalStorage.snapshot();
  let heartbeat: NodeJS.Timeout | undefined;

  const beat = () => {
    for (const streams of byOwner.values()) for (const stream of streams) stream.write(': keep-alive\n\n');
  };

  const ownerStreams = (owner: string): readonly OpenStream[] => byOwner.get(owner) ?? [];

  const track = (stream: OpenStream) => {
    const streams = byOwner.get(stream.owner);
    if (streams) streams.push(stream);
    else byOwner.set(stream.owner, [stream]);
    size++;
    heartbeat ??= outsideRequests(() => setInterval(beat, heartbeatMs).unref());
  };

  const untrack = (stream: OpenStream) => {
    const streams = byOwner.get(stream.owner);
    const index = streams?.indexOf(stream) ?? -1;
    if (!streams || index === -1) return;
    if (streams.length === 1) byOwner.delete(stream.owner);
    else streams.splice(index, 1);
    size--;
    if (size === 0) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };

  return {
    /** Open streams in all. */
    get size() {
      return size;
    },

    /** Open streams of one owner. */
    countOf(owner: string) {
      return byOwner.get(owner)?.length ?? 0;
    },

    /** Whether the shared heartbeat timer runs (exactly while streams are open). */
    get heartbeating() {
      return heartbeat !== undefined;
    },

    /**
     * Takes, before any work, the place among its address's streams of a stream for `owner`; throws
     * RateLimited (429 with Retry-After) when the address has too many. A full owner's oldest stream from
     * the same address, which the new one will end, lends it its place: it stays open until the new one
     * opens, and keeps its place if the new one never does (a database read failed, the client left). The
     * caller passes the reservation to `open`, or calls it to give the place back. An owner's reservations
     * here take turns, each until its stream opened (or it was given back), so that each sees the streams
     * before it (a place is taken asynchronously, perhaps in a shared store).
     */
    async reserve(ip: string, owner: string): Promise<Release> {
      const previous = turns.get(owner);
      const turn = Promise.withResolvers<void>();
      turns.set(owner, turn.promise);
      const endTurn = () => {
        turn.resolve();
        if (turns.get(owner) === turn.promise) turns.delete(owner);
      };
      let reserved: Reserved;
      try {
        await previous;
        reserved = await placeFor(ip, owner);
      } catch (error) {
        endTurn();
        throw error;
      }
      let given = false;
      const reservation = () => {
        endTurn();
        if (given) return;
        given = true;
        reservations.delete(reservation);
        const { place, lender } = reserved;
        if (lender && !lender.closed) lender.place = place;
        else place();
      };
      reservations.set(reservation, () => {
        given = true;
        reservations.delete(reservation);
        return reserved;
      });
      return reservation;
    },

    /**
     * Answers `target.res` with an event stream for `owner` that lives until the client leaves, the owner
     * opens too many, or the server stops; `place` (from `reserve`) is given back when it ends. Only once
     * it is open (its headers sent) does it end the streams it replaces: the one that lent it its place,
     * and the owner's oldest beyond the cap. A client that left meanwhile ends none.
     */
    open({ res, ip, headers }: StreamTarget, owner: string, reservation?: Release): EventStream {
      if (res.destroyed) {
        // The client left while the stream was being prepared: its 'close' has been and gone.
        reservation?.();
        const stream = new OpenStream(owner, ip, res, undefined, untrack);
        stream.close();
        return stream;
      }
      const reserved = reservation ? reservations.get(reservation)?.() : undefined;
      const stream = new OpenStream(owner, ip, res, reserved?.place, untrack);
      res.on('close', stream.close);
      res.socket?.setTimeout(0);
      res.socket?.setNoDelay(true);
      res.writeHead(200, { ...headers, ...STREAM_HEADERS });
      res.write(`retry: ${RETRY_MS}\n\n`);

      reserved?.lender?.close();
      while (ownerStreams(owner).length >= limits.perOwner) ownerStreams(owner)[0]?.close();
      track(stream);
      reservation?.(); // the owner's next reservation may go on (the place is the stream's now)
      return stream;
    },

    /**
     * Ends every stream. With `retryMs` (shutdown), each first gets that reconnection delay as an SSE
     * `retry:` field, spread over up to twice as long so that clients do not all come back at once
     * (to another instance, or to this one after its restart); they resume with Last-Event-ID.
     */
    closeAll({ retryMs }: { retryMs?: number } = {}) {
      for (const streams of [...byOwner.values()]) {
        for (const stream of [...streams]) {
          if (retryMs !== undefined) {
            const retry = retryMs + Math.floor(Math.random() * retryMs);
            stream.write(`: the server is stopping\nretry: ${retry}\n\n`);
          }
          stream.close();
        }
      }
    },
  };
}

/** Places per address counted in this process. */
function localPlaces(perIp: number): PlaceLimiter {
  const limiter = createConcurrencyLimiter(perIp);
  return { acquire: async (ip) => limiter.acquire(ip) };
}
