/**
 * A visitor's event stream that survives its server: read over fetch (the token in a header, as the widget
 * does), and when the connection ends or breaks it connects again after the server's `retry:` delay with
 * `Last-Event-ID` set to the last SSE id received, as EventSource does. Every connection is recorded (which
 * upstream served it, per the proxy's `x-upstream` header, and the Last-Event-ID it sent).
 */
export type StreamEvent = { event: string; id?: string; data: unknown; connection: number };
export type StreamConnection = {
  upstream: string | null;
  status: number;
  lastEventIdSent: string | undefined;
  /** The connection ended (server gone, or closed by us). */
  ended: boolean;
};

export function openResumableStream(
  url: string,
  token: string,
  { minRetryMs = 100, maxRetryMs = 2000 }: { minRetryMs?: number; maxRetryMs?: number } = {},
) {
  const events: StreamEvent[] = [];
  const connections: StreamConnection[] = [];
  const waiters = new Set<{ predicate: () => boolean; resolve: () => void }>();
  const closing = new AbortController();
  let lastEventId: string | undefined;
  let retryMs = 1000;
  let opened: () => void = () => {};
  const firstOpen = new Promise<void>((resolve) => {
    opened = resolve;
  });

  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.predicate()) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const connectOnce = async () => {
    const connection: StreamConnection = {
      upstream: null,
      status: 0,
      lastEventIdSent: lastEventId,
      ended: false,
    };
    connections.push(connection);
    const index = connections.length - 1;
    try {
      const response = await fetch(url, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
        signal: closing.signal,
      });
      connection.status = response.status;
      connection.upstream = response.headers.get('x-upstream');
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        return;
      }
      opened();
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          const retry = Number(fields.get('retry'));
          if (Number.isFinite(retry) && fields.has('retry')) retryMs = retry;
          const id = fields.get('id');
          if (id !== undefined) lastEventId = id;
          const data = fields.get('data');
          if (data !== undefined) {
            events.push({
              event: fields.get('event') ?? 'message',
              id,
              data: JSON.parse(data),
              connection: index,
            });
            check();
          }
        }
      }
    } catch {
      // the connection broke (or we closed it)
    } finally {
      connection.ended = true;
    }
  };

  const run = (async () => {
    while (!closing.signal.aborted) {
      await connectOnce();
      if (closing.signal.aborted) return;
      // EventSource waits the server's `retry:` before reconnecting; bounded here to keep tests short.
      const delay = Math.min(maxRetryMs, Math.max(minRetryMs, retryMs * Math.random()));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();

  return {
    events,
    connections,
    /** Resolves once the first connection is open (200). */
    opened: firstOpen,
    /** The SSE id of the last event received (what a reconnect sends as Last-Event-ID). */
    get lastEventId() {
      return lastEventId;
    },
    /** Resolves once `predicate` holds (checked on every event); no time limit of its own. */
    waitFor(predicate: () => boolean): Promise<void> {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve) => waiters.add({ predicate, resolve }));
    },
    async close() {
      closing.abort();
      await run;
    },
  };
}

export type ResumableStream = ReturnType<typeof openResumableStream>;
