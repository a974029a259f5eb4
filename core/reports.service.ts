import { REPORT_MAX_DAYS, type ReportResponse, type TimingRow } from '../contract/reports-api.ts';
import type { EntityManager } from '../db/orm.ts';
import { DomainError } from './errors.ts';
import { checkDay, createZoneCheck } from './time-zone.ts';

type StatRow = {
  key: string | null;
  name: string | null;
  count: number | string;
  median: number | null;
  p90: number | null;
};

const num = (value: number | string | null) => (value === null ? null : Number(value));

type TimingStats = {
  key: number | string | null;
  name: string | null;
  count: number | string;
  median: number | string | null;
  p90: number | string | null;
};

/** First-response and resolution figures of the same groups, one row per group, by name. */
function mergeTimings(first: TimingStats[], resolution: TimingStats[], unnamed: string): TimingRow[] {
  const rows = new Map<string, TimingRow>();
  const empty = { count: 0, median_seconds: null, p90_seconds: null };
  for (const [list, field] of [
    [first, 'first_response'],
    [resolution, 'resolution'],
  ] as const) {
    for (const row of list) {
      const id = String(row.key ?? '');
      const entry = rows.get(id) ?? { name: row.name ?? unnamed, first_response: empty, resolution: empty };
      entry[field] = { count: Number(row.count), median_seconds: num(row.median), p90_seconds: num(row.p90) };
      rows.set(id, entry);
    }
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export type ReportService = ReturnType<typeof createReportService>;

/**
 * Reports for a period (issue 13 §6), all computed in SQL. The period is whole days `from`…`to` in the
 * agent's time zone; it bounds every query through the tickets' `created_at` / `closed_at` indexes.
 * - opened / closed per day: tickets created / closed on each day (in `tz`);
 * - first response: from opening to the first agent message, per the agent who sent it; resolution: from
 *   opening to closing, per the agent the ticket was assigned to when closed; both over the tickets opened
 *   in the period, median and 90th percentile by `percentile_cont` (interpolated, as PostgreSQL defines it);
 * - CSAT: the tickets closed in the period, how many rated and how;
 * - busiest hours: tickets opened by weekday × hour in `tz`.
 */
export function createReportService({ em }: { em: EntityManager }) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);
  const zoneCheck = createZoneCheck(sql);

  return {
    async report(input: { from: string; to: string; tz: string }): Promise<ReportResponse> {
      const from = checkDay(input.from, 'from');
      const to = checkDay(input.to, 'to');
      const tz = await zoneCheck(input.tz);
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
      if (days < 1) throw new DomainError('validation_failed', 'to: must not be before from');
      if (days > REPORT_MAX_DAYS) {
        throw new DomainError('validation_failed', `to: a report covers at most ${REPORT_MAX_DAYS} days`);
      }
      const period = [from, tz, to, tz];
      const START = '(?::date)::timestamp at time zone ?';
      const END = '((?::date + 1)::timestamp at time zone ?)';
      const opened = `t.created_at >= ${START} and t.created_at < ${END}`;
      const closedIn = `t.closed_at >= ${START} and t.closed_at < ${END}`;

      const perDay = await sql<{ day: string; opened: number | string; closed: number | string }>(
        `with d as (select generate_series(?::date, ?::date, interval '1 day')::date as day),
              o as (select (t.created_at at time zone ?)::date as day, count(*) as n from tickets t where ${opened} group by 1),
              c as (select (t.closed_at at time zone ?)::date as day, count(*) as n from tickets t where ${closedIn} group by 1)
         select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(o.n, 0) as opened, coalesce(c.n, 0) as closed
           from d left join o on o.day = d.day left join c on c.day = d.day order by d.day`,
        [from, to, tz, ...period, tz, ...period],
      );

      // One scan of the period's tickets with their first agent reply; grouped three ways below.
      const base = `with p as (
          select t.id, t.category, t.created_at, t.closed_at, t.assigned_agent_id,
                 fr.agent_id as first_agent_id,
                 extract(epoch from (fr.created_at - t.created_at))::float8 as first_response,
                 extract(epoch from (t.closed_at - t.created_at))::float8 as resolution
            from tickets t
            left join lateral (select m.created_at, m.agent_id from messages m
                                where m.ticket_id = t.id and m.sender = 'agent'
                                order by m.created_at, m.id limit 1) fr on true
           where ${opened})`;
      const stats = (
        column: 'first_response' | 'resolution',
        key: string,
        nameJoin: string,
        agentKey = false,
      ) =>
        sql<StatRow>(
          `${base}
           select ${key} as key, ${nameJoin} as name, count(p.${column}) as count,
                  percentile_cont(0.5) within group (order by p.${column}) as median,
                  percentile_cont(0.9) within group (order by p.${column}) as p90
             from p ${agentKey ? `left join agents a on a.id = ${key}` : ''}
            where p.${column} is not null
            group by 1, 2`,
          period,
        );
      const grouped = async (key: string, name: string) => {
        const [first, resolution] = [
          await stats('first_response', key, name),
          await stats('resolution', key, name),
        ];
        return mergeTimings(first, resolution, '(none)');
      };
      // Sequential on purpose: PGlite has one backend.
      const totals = (await grouped("''", "'All'"))[0] ?? {
        name: 'All',
        first_response: { count: 0, median_seconds: null, p90_seconds: null },
        resolution: { count: 0, median_seconds: null, p90_seconds: null },
      };
      const byAgentFirst = await stats('first_response', 'p.first_agent_id', 'a.name', true);
      const byAgentResolution = await stats('resolution', 'p.assigned_agent_id', 'a.name', true);
      const byAgent = mergeTimings(byAgentFirst, byAgentResolution, '(unassigned)');
      const byCategory = await grouped("coalesce(p.category, '')", "coalesce(p.category, '(none)')");

      const csatRows = await sql<{ rating: number | null; n: number | string }>(
        `select t.rating, count(*) as n from tickets t where ${closedIn} and t.status = 'closed' group by 1`,
        period,
      );
      const ratings = [0, 0, 0, 0, 0];
      let closed = 0;
      for (const row of csatRows) {
        closed += Number(row.n);
        if (row.rating !== null) ratings[row.rating - 1] = Number(row.n);
      }
      const rated = ratings.reduce((a, b) => a + b, 0);
      const average = rated ? ratings.reduce((sum, n, i) => sum + n * (i + 1), 0) / rated : null;

      const busiestRows = await sql<{ weekday: number | string; hour: number | string; n: number | string }>(
        `select (extract(isodow from t.created_at at time zone ?) - 1)::int as weekday,
                extract(hour from t.created_at at time zone ?)::int as hour, count(*) as n
           from tickets t where ${opened} group by 1, 2`,
        [tz, tz, ...period],
      );
      const busiest = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
      for (const row of busiestRows) {
        const dayRow = busiest[Number(row.weekday)];
        if (dayRow) dayRow[Number(row.hour)] = Number(row.n);
      }

      return {
        from,
        to,
        tz,
        days: perDay.map((row) => ({ day: row.day, opened: Number(row.opened), closed: Number(row.closed) })),
        totals: { ...totals, name: 'All' },
        by_agent: byAgent,
        by_category: byCategory,
        csat: { closed, rated, ratings, rated_share: closed ? rated / closed : null, average },
        busiest,
      };
    },
  };
}

/** One CSV cell: quoted when needed; a formula-looking start (= + - @, tab, CR) neutralised with `'`. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

const seconds = (value: number | null) => (value === null ? '' : String(Math.round(value * 1000) / 1000));

/** The report as one CSV file: sections one after another, each with its header row. CRLF line ends. */
export function reportCsv(report: ReportResponse): string {
  const lines: (string | number | null)[][] = [];
  lines.push(['report', 'from', 'to', 'time zone'], ['Switchboard', report.from, report.to, report.tz], []);
  lines.push(['day', 'opened', 'closed']);
  for (const day of report.days) lines.push([day.day, day.opened, day.closed]);
  lines.push([]);
  const timing = (kind: string, rows: TimingRow[]) => {
    lines.push([
      kind,
      'first response tickets',
      'first response median (s)',
      'first response p90 (s)',
      'resolution tickets',
      'resolution median (s)',
      'resolution p90 (s)',
    ]);
    for (const row of rows) {
      lines.push([
        row.name,
        row.first_response.count,
        seconds(row.first_response.median_seconds),
        seconds(row.first_response.p90_seconds),
        row.resolution.count,
        seconds(row.resolution.median_seconds),
        seconds(row.resolution.p90_seconds),
      ]);
    }
    lines.push([]);
  };
  timing('total', [report.totals]);
  timing('agent', report.by_agent);
  timing('category', report.by_category);
  lines.push(['rating', 'tickets']);
  report.csat.ratings.forEach((n, i) => {
    lines.push([`${i + 1}`, n]);
  });
  lines.push(['closed', report.csat.closed], ['rated', report.csat.rated], []);
  lines.push(['weekday', ...Array.from({ length: 24 }, (_, h) => `${h}h`)]);
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  report.busiest.forEach((hours, i) => {
    lines.push([names[i] ?? String(i), ...hours]);
  });
  return `${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
