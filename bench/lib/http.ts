import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One keep-alive agent for the load generator: connections are reused, as a browser reuses them. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

export type Response = { status: number; body: string; ms: number };

/** A request over node:http (lighter than fetch for a load generator); the body is read whole. */
export function request(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function postJson<T>(url: string, json: unknown, token?: string): Promise<T> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(json),
  });
  if (response.status >= 300)
    throw new Error(`POST ${url}: ${response.status} ${response.body.slice(0, 200)}`);
  return JSON.parse(response.body) as T;
}

export type Session = { sessionId: string; token: string };

export async function newSession(baseUrl: string): Promise<Session> {
  const body = await postJson<{ session_id: string; access_token: string }>(`${baseUrl}/api/session`, {});
  return { sessionId: body.session_id, token: body.access_token };
}

/**
 * `count` new sessions, each with an open ticket (its first message opened it): what the closed loops
 * measure is messages on open tickets.
 */
export function sessionsWithOpenTickets(baseUrl: string, count: number): Promise<Session[]> {
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    10,
    async () => {
      const session = await newSession(baseUrl);
      await postJson(
        `${baseUrl}/api/session/${session.sessionId}/messages`,
        { body: 'hello' },
        session.token,
      );
      return session;
    },
  );
}

/** Runs `task` over `items` with at most `concurrency` at a time. */
export async function mapLimit<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}

export type LoadResult = { ok: number; failed: number; seconds: number; latencies: number[] };

/**
 * A closed loop: `clients` concurrent clients, each sending its next request as soon as the previous
 * one answered. The first `warmupMs` are not counted; then requests for `seconds`.
 */
export async function closedLoop({
  clients,
  seconds,
  warmupMs,
  send,
}: {
  clients: number;
  seconds: number;
  warmupMs: number;
  send: (client: number, n: number) => Promise<Response>;
}): Promise<LoadResult> {
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + seconds * 1000;
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; performance.now() < end; n += 1) {
        const began = performance.now();
        const response = await send(client, n).catch(() => undefined);
        const finished = performance.now();
        if (began < measureFrom || finished > end) continue;
        if (response && response.status >= 200 && response.status < 300) {
          ok += 1;
          latencies.push(response.ms);
        } else {
          failed += 1;
        }
      }
    }),
  );
  return { ok, failed, seconds, latencies };
}
