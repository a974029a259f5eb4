export type StreamEvent = { event: string; id?: string; data: string };

/**
 * Reads a Server-Sent Events body, for the browser apps: they use fetch, not EventSource, so the token
 * (widget) or initData (Mini App) stays in a header. Resolves when the stream ends; rejects when it breaks
 * or is aborted.
 */
export async function readEventStream(response: Response, onEvent: (event: StreamEvent) => void) {
  if (!response.body) throw new Error('The event stream has no body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let current: { event?: string; id?: string; data: string[] } = { data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (current.data.length > 0) {
          onEvent({ event: current.event ?? 'message', id: current.id, data: current.data.join('\n') });
        }
        current = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') current.data.push(value);
      else if (field === 'event') current.event = value;
      else if (field === 'id') current.id = value;
    }
  }
}
