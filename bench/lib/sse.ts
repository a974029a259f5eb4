import http from 'node:http';

/** A separate agent: event streams hold their sockets for good. */
const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

export type SseEvent = { event: string; id?: string; data: string };

export type SseStream = { close(): void };

/**
 * Opens `GET url` as an event stream (the widget's way: token in a header) and resolves once the
 * server answered 200. `onEvent` sees every event; without it the stream is read and ignored (idle).
 */
export function openSse(url: string, token: string, onEvent?: (event: SseEvent) => void): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: streamAgent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`SSE ${url}: ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        if (onEvent) {
          let buffer = '';
          res.on('data', (chunk: string) => {
            buffer += chunk;
            for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const event: SseEvent = { event: 'message', data: '' };
              for (const line of block.split('\n')) {
                if (!line || line.startsWith(':')) continue;
                const colon = line.indexOf(':');
                const field = line.slice(0, colon);
                const value = line.slice(colon + 1).trimStart();
                if (field === 'event') event.event = value;
                else if (field === 'id') event.id = value;
                else if (field === 'data') event.data += value;
              }
              if (event.data) onEvent(event);
            }
          });
        } else {
          res.resume();
        }
        res.on('error', () => {});
        resolve({ close: () => req.destroy() });
      },
    );
    req.on('error', reject);
  });
}
