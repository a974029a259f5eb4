import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { createInProcessEventBus, type DomainEvent, type EventBus } from '../core/event-bus.ts';

/** The NOTIFY channel (per database: instances on other databases never hear each other). */
export const EVENTS_CHANNEL = 'switchboard_events';
/**
 * NOTIFY refuses payloads of 8000 bytes or more. An event whose envelope is larger (a 4000-character
 * message in a 3-byte script is ~12 KB) travels as numbered chunks of at most this many bytes, sent
 * in one transaction, so they arrive together and in order; receivers reassemble them.
 */
export const MAX_CHUNK_BYTES = 7000;
/** An event is never split into more chunks than this (about 7 MB; messages are at most 4000 characters). */
const MAX_CHUNKS = 1000;
/**
 * A notification carries as many pending items (events, chunks, announcements; one a line) as fit under
 * NOTIFY's limit: payloads must be shorter than 8000 bytes.
 */
export const MAX_NOTIFICATION_BYTES = 7999;
/** Notifications sent per statement (one round trip, one implicit transaction). */
const BATCH = 100;
/** Kept while disconnected; beyond that the oldest are dropped (receivers resynchronise anyway). */
const MAX_PENDING = 10_000;
/** Chunks of an event not completed within this time are forgotten (their sender died mid-send). */
const PARTIAL_TTL_MS = 60_000;
/**
 * A statement on the listening connection this often proves it alive (TCP keep-alive covers a vanished
 * host too); once a minute keeps an idle server's database traffic low (issue 15's idle row).
 */
const HEARTBEAT_MS = 60_000;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
/** A connection attempt that gets no answer is given up after this, and the next one is scheduled. */
const CONNECT_TIMEOUT_MS = 5_000;

export type PostgresEventBus = EventBus & {
  /** Connects and listens; rejects when the first connection fails. */
  start(): Promise<void>;
  /** Sends what is still pending (briefly), then disconnects. */
  stop(): Promise<void>;
  /** Whether the listening connection is up right now. */
  readonly connected: boolean;
  /**
   * Calls `listener` after each event another instance published (already delivered to `subscribe`rs):
   * e.g. work it enqueued that this instance's workers may take. Returns the unsubscribe function.
   */
  subscribeRemote(listener: () => void): () => void;
  /**
   * Tells the other instances that `topic` changed, e.g. a setting they cache (this instance's own
   * listeners are not called: the announcer knows). Sent like events: after a reconnect if need be.
   */
  announce(topic: string): void;
  /**
   * Calls `listener` when another instance announces `topic`, and after the listening connection
   * reconnected (announcements sent during the gap are lost: whatever they would have said may have
   * changed). Returns the unsubscribe function.
   */
  onAnnouncement(topic: string, listener: () => void): () => void;
};

/**
 * The event bus across server instances on one PostgreSQL database (LISTEN/NOTIFY on a dedicated
 * connection). `publish` delivers to this instance's listeners at once, exactly as the in-process bus
 * does, and sends the event to the other instances with NOTIFY; an instance ignores its own
 * notifications. Callers publish after their transaction committed, so a notified event is always
 * visible in the database.
 *
 * The listening connection reconnects with backoff when it drops. Events published meanwhile wait and
 * go out after the reconnect; events of other instances sent during the gap are lost to this listener,
 * so `onReconnect` lets the owner resynchronise (the server ends its event streams: clients reconnect
 * with `Last-Event-ID` and the missed messages are replayed from the database).
 */
export function createPostgresEventBus({
  url,
  logger,
  channel = EVENTS_CHANNEL,
  applicationName = 'switchboard-events',
  onReconnect = () => {},
}: {
  url: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  channel?: string;
  /** How the listening connection shows in pg_stat_activity. */
  applicationName?: string;
  onReconnect?: () => void;
}): PostgresEventBus {
  const local = createInProcessEventBus((error) => logger.error({ err: error }, 'event listener failed'));
  const instanceId = randomBytes(8).toString('hex');
  let sequence = 0;
  const pending: string[] = [];
  const partials = new Map<string, { parts: string[]; received: number; startedAt: number }>();
  const remoteListeners = new Set<() => void>();
  const announcementListeners = new Map<string, Set<() => void>>();

  let client: pg.Client | undefined;
  let stopped = false;
  let everConnected = false;
  let flushing: Promise<void> | undefined;
  let flushScheduled = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelay = RECONNECT_MIN_MS;
  let heartbeat: NodeJS.Timeout | undefined;

  const receive = (payload: string | undefined) => {
    if (!payload) return;
    for (const item of payload.split('\n')) receiveItem(item);
  };

  const receiveItem = (item: string) => {
    const decoded = decodeNotification(item);
    if (!decoded || decoded.instance === instanceId) return;
    if (decoded.kind === 'announcement') {
      callAll(announcementListeners.get(decoded.topic) ?? []);
      return;
    }
    if (decoded.kind === 'whole') {
      deliver(decoded.json);
      return;
    }
    const key = `${decoded.instance}:${decoded.sequence}`;
    const partial = partials.get(key) ?? {
      parts: new Array<string>(decoded.total),
      received: 0,
      startedAt: Date.now(),
    };
    partials.set(key, partial);
    if (partial.parts[decoded.index] === undefined) partial.received += 1;
    partial.parts[decoded.index] = decoded.part;
    if (partial.received < decoded.total) return;
    partials.delete(key);
    deliver(partial.parts.join(''));
  };

  const deliver = (json: string) => {
    let event: DomainEvent;
    try {
      event = JSON.parse(json) as DomainEvent;
    } catch (error) {
      logger.warn({ err: error }, 'unreadable event notification ignored');
      return;
    }
    local.publish(event);
    callAll(remoteListeners);
  };

  const callAll = (listeners: Iterable<() => void>) => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        logger.error({ err: error }, 'event listener failed');
      }
    }
  };

  const send = (payloads: string[]) => {
    pending.push(...payloads);
    if (!client && pending.length > MAX_PENDING) {
      const dropped = pending.splice(0, pending.length - MAX_PENDING).length;
      logger.error({ dropped }, 'event bus: too many unsent events; dropped the oldest');
    }
    // Sent once this tick is over: what the tick published goes together, in one statement.
    if (client && !flushScheduled) {
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        void flush();
      });
    }
  };

  const forgetStalePartials = () => {
    const now = Date.now();
    for (const [key, partial] of partials) if (now - partial.startedAt > PARTIAL_TTL_MS) partials.delete(key);
  };

  const flush = (): Promise<void> => {
    flushing ??= sendPending().finally(() => {
      flushing = undefined;
      // Published meanwhile, or a new connection came up while the old one failed.
      if (client && pending.length > 0) void flush();
    });
    return flushing;
  };

  const sendPending = async () => {
    const target = client;
    if (!target) return;
    try {
      while (target === client && pending.length > 0) {
        const { notifications, items } = pack(pending, BATCH);
        // One statement, one implicit transaction: its notifications are delivered together, in order.
        await target.query(
          `select ${notifications.map((_, index) => `pg_notify($1, $${index + 2})`).join(', ')}`,
          [channel, ...notifications],
        );
        pending.splice(0, items);
      }
    } catch (error) {
      // The batch stays pending and goes out after the reconnect (receivers deduplicate messages).
      logger.warn({ err: error }, 'event notification failed; retrying after reconnect');
      dropConnection(target);
    }
  };

  const dropConnection = (dropped: pg.Client | undefined) => {
    if (!dropped || dropped !== client) return;
    client = undefined;
    clearInterval(heartbeat);
    dropped.removeAllListeners('notification');
    dropped.end().catch(() => {});
    if (!stopped) {
      logger.warn({ retryInMs: reconnectDelay }, 'event bus: listening connection lost; reconnecting');
      scheduleReconnect();
    }
  };

  const scheduleReconnect = () => {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      connect().catch((error: unknown) => {
        reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
        logger.warn({ err: error, retryInMs: reconnectDelay }, 'event bus: reconnect failed');
        if (!stopped) scheduleReconnect();
      });
    }, reconnectDelay);
    reconnectTimer.unref();
  };

  const connect = async () => {
    const next = new pg.Client({
      connectionString: url,
      application_name: applicationName,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'event bus connection error');
      dropConnection(next);
    });
    next.on('end', () => dropConnection(next));
    next.on('notification', (message) => {
      if (message.channel === channel) receive(message.payload);
    });
    try {
      await next.connect();
      await next.query(`listen ${next.escapeIdentifier(channel)}`);
    } catch (error) {
      next.removeAllListeners();
      next.on('error', () => {});
      await next.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    reconnectDelay = RECONNECT_MIN_MS;
    heartbeat = setInterval(() => {
      forgetStalePartials();
      next.query('select 1').catch(() => dropConnection(next));
    }, HEARTBEAT_MS);
    heartbeat.unref();
    if (everConnected) {
      logger.info('event bus: reconnected');
      partials.clear();
      try {
        onReconnect();
      } catch (error) {
        logger.error({ err: error }, 'event bus: resynchronisation failed');
      }
      for (const listeners of announcementListeners.values()) callAll(listeners);
    }
    everConnected = true;
    void flush();
  };

  return {
    publish(event) {
      local.publish(event);
      sequence += 1;
      send(encodeEvent(event, instanceId, sequence));
    },

    announce(topic) {
      send([encodeAnnouncement(topic, instanceId)]);
    },

    onAnnouncement(topic, listener) {
      const listeners = announcementListeners.get(topic) ?? new Set<() => void>();
      announcementListeners.set(topic, listeners);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    subscribe: (sessionId, listener) => local.subscribe(sessionId, listener),

    subscribeRemote(listener) {
      remoteListeners.add(listener);
      return () => remoteListeners.delete(listener);
    },

    get connected() {
      return client !== undefined;
    },

    start: connect,

    async stop() {
      if (client && pending.length > 0) {
        await Promise.race([flush(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
      stopped = true;
      clearTimeout(reconnectTimer);
      clearInterval(heartbeat);
      const last = client;
      client = undefined;
      await last?.end().catch(() => {});
    },
  };
}

type Decoded =
  | { kind: 'whole'; instance: string; json: string }
  | { kind: 'announcement'; instance: string; topic: string }
  | { kind: 'chunk'; instance: string; sequence: number; index: number; total: number; part: string };

/**
 * Packs the first pending items into at most `maxNotifications` notifications, items joined by newlines
 * (JSON text has none), each under NOTIFY's limit; `items`: how many of `pending` they carry.
 */
export function pack(pending: readonly string[], maxNotifications: number) {
  const notifications: string[] = [];
  let current = '';
  let bytes = 0;
  let items = 0;
  for (const item of pending) {
    const size = Buffer.byteLength(item);
    if (current && bytes + 1 + size > MAX_NOTIFICATION_BYTES) {
      notifications.push(current);
      if (notifications.length === maxNotifications) return { notifications, items };
      current = '';
      bytes = 0;
    }
    current = current ? `${current}\n${item}` : item;
    bytes += (bytes ? 1 : 0) + size;
    items += 1;
  }
  if (current) notifications.push(current);
  return { notifications, items };
}

/**
 * Wire format (text, as NOTIFY requires), one item a line of a notification: `e:<instance>:<event JSON>`
 * for an event that fits, else `c:<instance>:<sequence>:<index>:<total>:<part>` per chunk, the parts
 * joining to the event JSON; `a:<instance>:<topic>` for an announcement.
 */
export function encodeEvent(event: DomainEvent, instance: string, sequence: number): string[] {
  const json = JSON.stringify(event);
  const whole = `e:${instance}:${json}`;
  if (Buffer.byteLength(whole) <= MAX_CHUNK_BYTES) return [whole];
  const parts = splitUtf8(json, MAX_CHUNK_BYTES - 100);
  return parts.map((part, index) => `c:${instance}:${sequence}:${index}:${parts.length}:${part}`);
}

export function encodeAnnouncement(topic: string, instance: string): string {
  return `a:${instance}:${topic}`;
}

export function decodeNotification(payload: string): Decoded | undefined {
  const [kind, instance] = payload.split(':', 2);
  if (!kind || !instance) return undefined;
  const rest = payload.slice(kind.length + instance.length + 2);
  if (kind === 'e') return { kind: 'whole', instance, json: rest };
  if (kind === 'a') return { kind: 'announcement', instance, topic: rest };
  if (kind !== 'c') return undefined;
  const match = /^(\d+):(\d+):(\d+):/.exec(rest);
  if (!match) return undefined;
  const [header, sequence, index, total] = match as unknown as [string, string, string, string];
  if (Number(index) >= Number(total) || Number(total) > MAX_CHUNKS) return undefined;
  return {
    kind: 'chunk',
    instance,
    sequence: Number(sequence),
    index: Number(index),
    total: Number(total),
    part: rest.slice(header.length),
  };
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
function splitUtf8(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (bytes + size > maxBytes) {
      parts.push(current);
      current = '';
      bytes = 0;
    }
    current += character;
    bytes += size;
  }
  if (current) parts.push(current);
  return parts;
}
