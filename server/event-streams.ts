import { PassThrough } from 'node:stream';
import type Koa from 'koa';

const HEARTBEAT_MS = 25_000;
/** Tells EventSource-style clients how soon to reconnect. */
const RETRY_MS = 1500;

export type EventStream = {
  send(event: string, data: unknown, id?: number): void;
  readonly closed: boolean;
  onClose(callback: () => void): void;
};

export type EventStreams = ReturnType<typeof createEventStreams>;

/** Server-Sent Events responses, tracked so that shutdown can end them all. */
export function createEventStreams() {
  const open = new Set<PassThrough>();

  return {
    get size() {
      return open.size;
    },

    /** Turns the response into an event stream that lives until the client leaves or the server stops. */
    open(ctx: Koa.Context): EventStream {
      const body = new PassThrough();
      const closeCallbacks: (() => void)[] = [];
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        open.delete(body);
        body.end();
        for (const callback of closeCallbacks) callback();
      };
      const heartbeat = setInterval(() => body.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      open.add(body);

      ctx.req.socket.setTimeout(0);
      ctx.req.socket.setNoDelay(true);
      ctx.req.on('close', close);
      ctx.set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      });
      ctx.status = 200;
      ctx.body = body;
      body.on('close', close);
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
          closeCallbacks.push(callback);
        },
      };
    },

    closeAll() {
      for (const body of open) body.end();
      open.clear();
    },
  };
}
