import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimited } from '../core/errors.ts';
import { createEventStreams } from '../server/event-streams.ts';
import { eventually } from './support/visitor.ts';

/** Stands for the request context (the ORM's RequestContext is one) that a stream must not keep alive. */
const requestContext = new AsyncLocalStorage<string>();

let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A bare node:http server on loopback; answers its base URL. */
async function serve(listener: RequestListener) {
  const started = createServer(listener);
  server = started;
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
}

/** A client reading a stream's text as it comes. */
async function read(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) text += decoder.decode(chunk as Uint8Array);
    } catch {
      // aborted
    }
  })();
  return {
    response,
    get text() {
      return text;
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

describe('event streams', () => {
  it('share one heartbeat timer, started outside any request context and stopped when the last client leaves', async () => {
    const realSetInterval = globalThis.setInterval;
    /** The heartbeat timers started (told apart by their interval), with the context each started in. */
    const heartbeats: { timer: NodeJS.Timeout; context: string | undefined }[] = [];
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((callback: () => void, ms: number) => {
      const timer = realSetInterval(callback, ms);
      if (ms === 40) heartbeats.push({ timer, context: requestContext.getStore() });
      return timer;
    }) as typeof globalThis.setInterval);
    const clearInterval = vi.spyOn(globalThis, 'clearInterval');
    const streams = createEventStreams({ perOwner: 5, perIp: 100, heartbeatMs: 40 });
    const url = await serve((req, res) => {
      const owner = new URL(req.url ?? '/', 'http://x').searchParams.get('owner') ?? 'someone';
      // Opened inside a request's context, as the routes do (RequestContext.create).
      requestContext.run(`request for ${owner}`, () => {
        const target = { res, ip: '127.0.0.1', headers: { 'X-Request-Id': 'abcdefgh' } };
        streams.open(target, owner).send('ready', { owner });
      });
    });

    const clients = await Promise.all(['a', 'b', 'c'].map((owner) => read(`${url}/?owner=${owner}`)));
    for (const client of clients) {
      expect(client.response.status).toBe(200);
      expect(client.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(client.response.headers.get('x-request-id')).toBe('abcdefgh');
    }
    // Every stream gets the keep-alive comment, from the one timer.
    await eventually(async () => clients.every((client) => client.text.includes(': keep-alive\n\n')));
    expect(clients[0]?.text.startsWith('retry: 1500\n\nevent: ready\n')).toBe(true);
    expect(heartbeats.map((heartbeat) => heartbeat.context)).toEqual([undefined]);
    expect(streams.heartbeating).toBe(true);

    for (const client of clients) await client.close();
    await eventually(async () => streams.size === 0);
    expect(streams.heartbeating).toBe(false);
    expect(clearInterval).toHaveBeenCalledWith(heartbeats[0]?.timer);
    expect(streams.countOf('a')).toBe(0);

    // The next stream starts it again.
    const again = await read(`${url}/?owner=a`);
    await eventually(async () => again.text.includes(': keep-alive'));
    expect(heartbeats.length).toBe(2);
    await again.close();
    await eventually(async () => !streams.heartbeating);
  });

  it('runs every close callback once when the client leaves', async () => {
    const streams = createEventStreams({ perOwner: 5, perIp: 100 });
    const closed: string[] = [];
    const url = await serve((_req, res) => {
      const stream = streams.open({ res, ip: '127.0.0.1', headers: {} }, 'owner');
      stream.onClose(() => closed.push('first'));
      stream.onClose(() => closed.push('second'));
    });
    const client = await read(url);
    await eventually(async () => client.text.startsWith('retry:'));
    expect(streams.countOf('owner')).toBe(1);
    await client.close();
    await eventually(async () => closed.length === 2);
    expect(closed).toEqual(['first', 'second']);
    expect(streams.size).toBe(0);
    expect(streams.countOf('owner')).toBe(0);
  });

  it('a client that left while its stream was being prepared leaves nothing behind', async () => {
    const streams = createEventStreams({ perOwner: 5, perIp: 100 });
    const received = Promise.withResolvers<void>();
    const opened = Promise.withResolvers<{ closed: boolean; unsubscribed: boolean }>();
    const url = await serve((_req, res) => {
      received.resolve();
      // Prepared only once the client is gone (as after a slow database read).
      res.on('close', () => {
        let unsubscribed = false;
        const stream = streams.open({ res, ip: '127.0.0.1', headers: {} }, 'owner');
        stream.onClose(() => {
          unsubscribed = true;
        });
        opened.resolve({ closed: stream.closed, unsubscribed });
      });
    });
    const controller = new AbortController();
    const request = fetch(url, { signal: controller.signal }).catch(() => undefined);
    await received.promise;
    controller.abort();
    await request;
    expect(await opened.promise).toEqual({ closed: true, unsubscribed: true });
    expect(streams.size).toBe(0);
    expect(streams.heartbeating).toBe(false);
  });

  it('a new stream of a full owner that never opens leaves the oldest open with its place, or frees it if that left', async () => {
    const streams = createEventStreams({ perOwner: 1, perIp: 1 });
    const ip = '127.0.0.1';
    const url = await serve(async (_req, res) => {
      const reservation = await streams.reserve(ip, 'a');
      streams.open({ res, ip, headers: {} }, 'a', reservation).send('ready', {});
    });
    const first = await read(url);
    await eventually(async () => first.text.includes('event: ready'));

    // A new stream of 'a' from the same address takes the oldest's place on loan, then fails.
    const failed = await streams.reserve(ip, 'a');
    expect(streams.countOf('a')).toBe(1);
    failed();
    expect(streams.countOf('a')).toBe(1);
    // The oldest has its place back: the address's one place is taken.
    await expect(streams.reserve(ip, 'b')).rejects.toThrow(RateLimited);

    // One that opens ends the oldest and takes its place.
    const second = await read(url);
    await eventually(async () => second.text.includes('event: ready'));
    expect(streams.countOf('a')).toBe(1);

    // The stream that lent its place left before the new one failed: the place is free.
    const failedLater = await streams.reserve(ip, 'a');
    await second.close();
    await eventually(async () => streams.size === 0);
    failedLater();
    const other = await streams.reserve(ip, 'b');
    other();
    await first.close();
  });

  it('closeAll ends every stream, each with a retry hint', async () => {
    const streams = createEventStreams({ perOwner: 5, perIp: 100 });
    const url = await serve((req, res) => {
      streams.open({ res, ip: '127.0.0.1', headers: {} }, req.url ?? '/');
    });
    const clients = await Promise.all(['/a', '/b'].map((path) => read(`${url}${path}`)));
    await eventually(async () => streams.size === 2);
    streams.closeAll({ retryMs: 1000 });
    expect(streams.size).toBe(0);
    expect(streams.heartbeating).toBe(false);
    for (const client of clients) {
      await eventually(async () => /retry: 1\d\d\d\n\n$/.test(client.text));
      await client.close();
    }
  });
});
