import type { EarlierTicket, SearchQuery, SearchResponse, SnippetPart } from '../contract/search-api.ts';
import { normaliseTag } from '../contract/tags-api.ts';
import type { EntityManager } from '../db/orm.ts';
import { DomainError, NotFound } from './errors.ts';
import { checkDay, createZoneCheck } from './time-zone.ts';

/**
 * The text search configuration: `simple` (lower-cased words, no stemming, no stop words). Support
 * conversations mix languages (the widget speaks English and Russian; visitors write in anything), and a
 * language's stemmer mangles the others' words and drops its stop words; agents search for order numbers,
 * names, error codes and product words, which `simple` keeps exactly. The price: "refund" does not find
 * "refunds" (search for both). The GIN index `messages_body_search_index` is on this very expression.
 */
const TS_CONFIG = 'simple';
const TSV = `to_tsvector('${TS_CONFIG}'::regconfig, m.body)`;
/** Marks around matches in ts_headline's output: control characters, which no stored text contains. */
const START = '\u0002';
const STOP = '\u0003';

type Row = {
  id: number;
  status: 'open' | 'claimed' | 'closed';
  category: string | null;
  created_at: Date | string;
  closed_at: Date | string | null;
  agent_name: string | null;
  visitor_name: string | null;
  visitor_email: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  message_id: number | null;
  headline: string | null;
  tags: string[] | string | null;
};

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const likeEscape = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** ts_headline's text with START/STOP marks → pieces, matches flagged. */
export function snippetParts(headline: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let rest = headline;
  while (rest) {
    const start = rest.indexOf(START);
    if (start < 0) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), match: false });
    const stop = rest.indexOf(STOP, start);
    const end = stop < 0 ? rest.length : stop;
    parts.push({ text: rest.slice(start + 1, end), match: true });
    rest = stop < 0 ? '' : rest.slice(stop + 1);
  }
  return parts.filter((part) => part.text !== '');
}

const pgArray = (value: string[] | string | null): string[] => {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((s) => s.replace(/^"|"$/g, '')) : [];
};

/**
 * A ticket's earlier tickets (parameters: the ticket id twice). Identity sessions are found through the
 * partial index `support_sessions_identity_email_index` on `lower(visitor_email) where external_id is not
 * null`, their tickets through `tickets.session_id`'s index: no scan of either table.
 */
export const EARLIER_TICKETS_SQL = `with me as (
   select t.session_id, s.external_id, lower(s.visitor_email) as email
     from tickets t join support_sessions s on s.id = t.session_id where t.id = ?
 ), sessions as (
   select me.session_id as id from me
   union
   select s.id from support_sessions s, me
    where me.external_id is not null and me.email is not null
      and s.external_id is not null and lower(s.visitor_email) = me.email
 )
 select t.id, t.status, t.category, t.created_at, t.session_id = (select session_id from me) as same_session,
        (select case when m.body <> '' then m.body else '📎 Attachment' end from messages m
          where m.ticket_id = t.id and m.sender = 'visitor' order by m.id limit 1) as preview
   from tickets t where t.session_id in (select id from sessions) and t.id <> ?
  order by t.id desc limit 100`;

export type SearchService = ReturnType<typeof createSearchService>;

/** Search across all conversations and a visitor's earlier tickets (issue 13 §6), for agents. */
export function createSearchService({ em }: { em: EntityManager }) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);
  const zoneCheck = createZoneCheck(sql);

  return {
    async search(query: SearchQuery): Promise<SearchResponse> {
      const where: string[] = [];
      const params: unknown[] = [];
      const tz = await zoneCheck(query.tz ?? 'UTC');
      if (query.q) {
        // websearch_to_tsquery: words AND-ed, "a phrase", -excluded; never a syntax error.
        // querytree 'T': nothing the GIN index can look up (only excluded words, `-refund`, or `a or -b`):
        // such a search would read every message, so it is refused.
        const probe = await sql<{ empty: boolean; unindexed: boolean }>(
          `select numnode(q) = 0 as empty, querytree(q) = 'T' as unindexed
             from websearch_to_tsquery('${TS_CONFIG}', ?) q`,
          [query.q],
        );
        if (probe[0]?.empty) throw new DomainError('validation_failed', 'q: no words to search for');
        if (probe[0]?.unindexed) {
          throw new DomainError(
            'validation_failed',
            'q: add a word to search for (excluded words such as -refund only narrow a search)',
          );
        }
        where.push(
          `t.id in (select m.ticket_id from messages m where ${TSV} @@ websearch_to_tsquery('${TS_CONFIG}', ?) and m.sender <> 'system')`,
        );
        params.push(query.q);
      }
      if (query.email) {
        where.push(`(s.contact_email ilike ? escape '\\' or s.visitor_email ilike ? escape '\\')`);
        const like = `%${likeEscape(query.email)}%`;
        params.push(like, like);
      }
      if (query.phone) {
        const digits = query.phone.replace(/\D/g, '');
        if (!digits) throw new DomainError('validation_failed', 'phone: give some digits of the number');
        where.push(`regexp_replace(coalesce(s.contact_phone, ''), '[^0-9]', '', 'g') like ?`);
        params.push(`%${digits}%`);
      }
      if (query.tag) {
        where.push('exists (select 1 from ticket_tags g where g.ticket_id = t.id and g.tag = ?)');
        params.push(normaliseTag(query.tag));
      }
      if (query.agent) {
        where.push(
          `(t.assigned_agent_id = ? or exists (select 1 from messages m where m.ticket_id = t.id and m.agent_id = ?))`,
        );
        params.push(query.agent, query.agent);
      }
      if (query.from) {
        where.push(`t.created_at >= (?::date)::timestamp at time zone ?`);
        params.push(checkDay(query.from, 'from'), tz);
      }
      if (query.to) {
        where.push(`t.created_at < ((?::date + 1)::timestamp at time zone ?)`);
        params.push(checkDay(query.to, 'to'), tz);
      }
      if (!where.length) {
        throw new DomainError(
          'validation_failed',
          'search: give at least one of q, email, phone, tag, agent, from, to',
        );
      }
      if (query.before) {
        where.push('t.id < ?');
        params.push(query.before);
      }
      const limit = query.limit ?? 20;
      const headline = query.q
        ? `(select m.id from messages m where m.ticket_id = page.id and m.sender <> 'system'
             and ${TSV} @@ websearch_to_tsquery('${TS_CONFIG}', ?) order by m.id desc limit 1)`
        : `(select m.id from messages m where m.ticket_id = page.id and m.sender = 'visitor' and m.body <> '' order by m.id limit 1)`;
      const rows = await sql<Row>(
        `with page as (
           select t.id, t.status, t.category, t.created_at, t.closed_at, t.assigned_agent_id,
                  s.visitor_name, s.visitor_email, s.contact_email, s.contact_phone
             from tickets t join support_sessions s on s.id = t.session_id
            where ${where.join(' and ')}
            order by t.id desc limit ?
         ), hit as (
           select page.*, ${headline} as message_id from page
         )
         select hit.id, hit.status, hit.category, hit.created_at, hit.closed_at, a.name as agent_name,
                hit.visitor_name, hit.visitor_email, hit.contact_email, hit.contact_phone, hit.message_id,
                ${
                  query.q
                    ? `ts_headline('${TS_CONFIG}', m.body, websearch_to_tsquery('${TS_CONFIG}', ?),
                         'StartSel=${START}, StopSel=${STOP}, MaxWords=30, MinWords=12')`
                    : `left(m.body, 200)`
                } as headline,
                array(select g.tag from ticket_tags g where g.ticket_id = hit.id order by g.id) as tags
           from hit left join messages m on m.id = hit.message_id
                left join agents a on a.id = hit.assigned_agent_id
          order by hit.id desc`,
        [...params, limit + 1, ...(query.q ? [query.q, query.q] : [])],
      );
      const more = rows.length > limit;
      const results = rows.slice(0, limit).map((row) => ({
        ticket_id: row.id,
        status: row.status,
        category: row.category,
        created_at: iso(row.created_at) as string,
        closed_at: iso(row.closed_at),
        agent_name: row.agent_name,
        visitor: {
          name: row.visitor_name,
          email: row.visitor_email ?? row.contact_email,
          phone: row.contact_phone,
        },
        tags: pgArray(row.tags),
        snippet: row.headline ? snippetParts(row.headline) : [],
        message_id: row.message_id,
      }));
      return { results, next_before: more ? (results.at(-1)?.ticket_id ?? null) : null };
    },

    /**
     * The visitor's other tickets, newest first: those of the ticket's session, and for an identified
     * visitor those of the other identified sessions with the identity's email. Only identities count
     * (`external_id` set, the email given with it): an email typed in the after-hours contact form proves
     * nothing, so it never links sessions (anyone could type an identified visitor's address).
     */
    async earlier(ticketId: number): Promise<EarlierTicket[]> {
      const rows = await sql<{
        id: number;
        status: EarlierTicket['status'];
        category: string | null;
        created_at: Date | string;
        preview: string | null;
        same_session: boolean;
      }>(EARLIER_TICKETS_SQL, [ticketId, ticketId]);
      if (
        !rows.length &&
        !(await sql<{ id: number }>('select id from tickets where id = ?', [ticketId])).length
      ) {
        throw new NotFound('Ticket');
      }
      return rows.map((row) => ({
        ticket_id: row.id,
        status: row.status,
        category: row.category,
        created_at: iso(row.created_at) as string,
        preview: (row.preview ?? '').slice(0, 200),
        via: row.same_session ? ('session' as const) : ('identity' as const),
      }));
    },
  };
}
