/** Reads a Server-Sent Events response over fetch, as the widget does (so the token stays in a header). */
export type SseEvent = { event: string; id?: string; data: unknown };

export async function openSse(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters: { predicate: (events: SseEvent[]) => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.predicate(events)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const pump = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => line && !line.startsWith(':'))
              .map((line) => [
                line.slice(0, line.indexOf(':')),
                line.slice(line.indexOf(':') + 1).trimStart(),
              ]),
          );
          if (fields.data !== undefined) {
            events.push({ event: fields.event ?? 'message', id: fields.id, data: JSON.parse(fields.data) });
            check();
          }
        }
      }
    } catch {
      // aborted
    }
  })();

  return {
    status: response.status,
    headers: response.headers,
    events,
    /** Settles when the stream ends: the server ended it, or `close`. */
    ended: pump,
    /** Resolves once the events received satisfy `predicate`; fails after `ms`. */
    waitFor(predicate: (events: SseEvent[]) => boolean, ms = 5000) {
      if (predicate(events)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`SSE: timed out; got ${JSON.stringify(events)}`)),
          ms,
        );
        waiters.push({
          predicate,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
