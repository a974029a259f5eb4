import type { EntityManager } from '../db/orm.ts';

export type ResponseTimeService = ReturnType<typeof createResponseTimeService>;

/**
 * How soon visitors usually get an answer: the median, over tickets created in the last `days` that an
 * agent claimed, of the time from the ticket's creation to its first agent message. The widget's header
 * turns it into "usually replies in a few minutes". Read at most once per `cacheMs` per process (every
 * widget asks for it on load).
 */
export function createResponseTimeService({
  em,
  days = 30,
  cacheMs = 5 * 60_000,
  now = Date.now,
}: {
  em: EntityManager;
  days?: number;
  cacheMs?: number;
  now?: () => number;
}) {
  let cached: { at: number; value: FirstReplyFigure } | undefined;

  const read = async (): Promise<FirstReplyFigure> => {
    const since = new Date(now() - days * 86_400_000);
    const rows = await em.getConnection().execute<{ median: number | string | null; tickets: number }[]>(
      `select percentile_cont(0.5) within group (order by extract(epoch from r.first_reply - r.created_at)) as median,
         count(*)::int as tickets
       from (select t.created_at,
               (select min(m.created_at) from messages m where m.ticket_id = t.id and m.sender = 'agent') as first_reply
             from tickets t where t.claimed_at is not null and t.created_at >= ?) r
       where r.first_reply is not null`,
      [since],
    );
    const row = rows[0];
    const median = row?.median === null || row?.median === undefined ? null : Number(row.median);
    return {
      medianSeconds: median === null || !Number.isFinite(median) ? null : Math.max(0, Math.round(median)),
      tickets: Number(row?.tickets ?? 0),
    };
  };

  return {
    async firstReply(): Promise<FirstReplyFigure> {
      const time = now();
      if (cached && time - cached.at < cacheMs) return cached.value;
      const value = await read();
      cached = { at: time, value };
      return value;
    },
  };
}

/** The median first reply in seconds (null without data) and how many tickets it was taken over. */
export type FirstReplyFigure = { medianSeconds: number | null; tickets: number };
