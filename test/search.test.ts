import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARLIER_TICKETS_SQL } from '../core/search.service.ts';
import { identityHash } from '../core/visitor-identity.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { agentsStartTheBot } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1005550004444;
const ALICE = { id: 6001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 6002, first_name: 'Bob', username: 'bob' };
const EVE = { id: 6003, first_name: 'Eve', username: 'eve' };
const SECRET = 'identity-secret-identity-secret-01';

describe(`search across conversations and a visitor’s earlier tickets (${databaseKind})`, () => {
  const d = {} as { fake: FakeTelegram; app: TestApp; http: ReturnType<typeof httpClient> };
  const api = (user: { id: number; first_name: string }, method: string, path: string, json?: unknown) =>
    d.http.request(method, path, { headers: tma(signInitData(d.fake.token, user)), json });
  const ids = (response: { body: { results: { ticket_id: number }[] } }) =>
    response.body.results.map((r) => r.ticket_id);
  const sql = (query: string, params: unknown[] = []) => d.app.orm.em.getConnection().execute(query, params);
  const agentIds = {} as Record<'alice' | 'bob', number>;
  const t = {} as Record<'refund' | 'parcel' | 'invoice' | 'old' | 'other', { visitor: Visitor; id: number }>;

  const ticket = async (visitor: Visitor, body: string) => ({
    visitor,
    id: (await visitor.say(body)).ticket.id,
  });
  const close = async (id: number, agent = ALICE) => {
    const closed = await api(agent, 'POST', `/api/agent/tickets/${id}/close`);
    expect(closed.status).toBe(200);
  };

  beforeAll(async () => {
    d.fake = await startFakeTelegram({ topicsInPrivateChats: true });
    d.fake.addGroup({ id: GROUP, title: 'Support', botStatus: 'administrator' });
    for (const user of [ALICE, BOB, EVE]) d.fake.addUser(user);
    for (const user of [ALICE, BOB]) d.fake.setChatMember(GROUP, user.id, 'member');
    d.app = await startTestApp({
      TELEGRAM_BOT_TOKEN: d.fake.token,
      TELEGRAM_API_ROOT: d.fake.apiRoot,
      SUPPORT_GROUP_CHAT_ID: String(GROUP),
      TELEGRAM_THROTTLE: 'false',
      RATE_LIMIT_MESSAGES: '100',
      IDENTITY_SECRET: SECRET,
    });
    d.http = httpClient(d.app.url);
    await agentsStartTheBot(d.fake, [ALICE, BOB]);
    agentIds.alice = (await api(ALICE, 'GET', '/api/agent/me')).body.agent.id;
    agentIds.bob = (await api(BOB, 'GET', '/api/agent/me')).body.agent.id;

    // Ada: anonymous on her laptop (left her email in the contact form), then signed in on her phone.
    const laptop = await newVisitor(d.app.url);
    t.old = await ticket(laptop, 'My invoice from March is wrong');
    await close(t.old.id);
    await laptop.http.post(`/api/session/${laptop.sessionId}/contact`, {
      token: laptop.token,
      json: { email: 'Ada@Example.com', phone: '+44 20 7946 0958' },
    });
    const phone = await newVisitor(d.app.url);
    const identified = await phone.http.post(`/api/session/${phone.sessionId}/identify`, {
      token: phone.token,
      json: {
        id: 'user-ada',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        hash: identityHash(SECRET, 'user-ada'),
      },
    });
    expect(identified.status).toBe(200);
    t.refund = await ticket(phone, 'I was charged twice, please refund the second payment');
    await api(ALICE, 'POST', `/api/agent/tickets/${t.refund.id}/claim`);
    await api(ALICE, 'POST', `/api/agent/tickets/${t.refund.id}/messages`, {
      body: 'The refund is on its way.',
    });
    await api(ALICE, 'POST', `/api/agent/tickets/${t.refund.id}/tags`, { tags: ['refund', 'vip'] });
    await close(t.refund.id);
    t.invoice = await ticket(phone, 'Another invoice question: VAT number missing');

    // Someone else.
    const other = await newVisitor(d.app.url);
    t.parcel = await ticket(other, 'Where is my parcel? Tracking says delivered');
    await api(BOB, 'POST', `/api/agent/tickets/${t.parcel.id}/claim`);
    await api(BOB, 'POST', `/api/agent/tickets/${t.parcel.id}/messages`, {
      body: 'Checking with the courier about your parcel.',
    });
    await close(t.parcel.id, BOB);
    t.other = await ticket(other, 'Thanks! Also: can I change my password?');
    // The parcel ticket was opened on 3 March 2026, 23:30 UTC: already 4 March in Berlin.
    await sql(`update tickets set created_at = '2026-03-03T23:30:00Z' where id = ?`, [t.parcel.id]);
  }, 90_000);
  afterAll(async () => {
    await d.app?.close();
    await d.fake?.close();
  });

  it('finds messages by words (visitor’s and agent’s), with the match highlighted, newest first', async () => {
    const refund = await api(ALICE, 'GET', '/api/agent/search?q=refund');
    expect(refund.status).toBe(200);
    expect(ids(refund)).toEqual([t.refund.id]);
    const [hit] = refund.body.results;
    // The newest matching message is the snippet: Alice's answer.
    expect(hit.snippet).toEqual([
      { text: 'The ', match: false },
      { text: 'refund', match: true },
      { text: ' is on its way.', match: false },
    ]);
    expect(hit).toMatchObject({
      status: 'closed',
      agent_name: 'Alice',
      tags: ['refund', 'vip'],
      visitor: { name: 'Ada Lovelace', email: 'ada@example.com' },
    });
    // Every word must occur; case does not matter; words are whole words (simple config, no stemming).
    expect(ids(await api(ALICE, 'GET', '/api/agent/search?q=INVOICE'))).toEqual([t.invoice.id, t.old.id]);
    expect(ids(await api(ALICE, 'GET', '/api/agent/search?q=invoice%20march'))).toEqual([t.old.id]);
    expect(ids(await api(ALICE, 'GET', '/api/agent/search?q=invoice%20-march'))).toEqual([t.invoice.id]);
    expect(ids(await api(ALICE, 'GET', '/api/agent/search?q=invoices'))).toEqual([]);
    expect(
      ids(await api(ALICE, 'GET', `/api/agent/search?q=${encodeURIComponent('"charged twice"')}`)),
    ).toEqual([t.refund.id]);
    expect(
      ids(await api(ALICE, 'GET', `/api/agent/search?q=${encodeURIComponent('"twice charged"')}`)),
    ).toEqual([]);
  });

  it('finds by email, phone, tag, agent and dates (in the agent’s time zone); criteria combine; pages', async () => {
    expect(ids(await api(BOB, 'GET', '/api/agent/search?email=ADA@example'))).toEqual([
      t.invoice.id,
      t.refund.id,
      t.old.id,
    ]);
    expect(ids(await api(BOB, 'GET', '/api/agent/search?phone=(20)%207946-0958'))).toEqual([t.old.id]);
    expect(ids(await api(BOB, 'GET', '/api/agent/search?phone=79460958'))).toEqual([t.old.id]);
    expect(ids(await api(BOB, 'GET', '/api/agent/search?tag=VIP'))).toEqual([t.refund.id]);
    expect(ids(await api(BOB, 'GET', `/api/agent/search?agent=${agentIds.bob}`))).toEqual([t.parcel.id]);
    expect(ids(await api(BOB, 'GET', `/api/agent/search?agent=${agentIds.alice}&q=refund`))).toEqual([
      t.refund.id,
    ]);
    expect(ids(await api(BOB, 'GET', '/api/agent/search?from=2026-03-04&to=2026-03-04'))).toEqual([]);
    expect(
      ids(await api(BOB, 'GET', '/api/agent/search?from=2026-03-04&to=2026-03-04&tz=Europe/Berlin')),
    ).toEqual([t.parcel.id]);
    expect(ids(await api(BOB, 'GET', '/api/agent/search?from=2026-03-03&to=2026-03-03'))).toEqual([
      t.parcel.id,
    ]);
    // A fixed offset named the IANA way: Etc/GMT-5 is UTC+5 (POSIX signs), in Node and in PostgreSQL alike.
    expect(
      ids(await api(BOB, 'GET', '/api/agent/search?from=2026-03-04&to=2026-03-04&tz=Etc/GMT-5')),
    ).toEqual([t.parcel.id]);
    expect(
      ids(await api(BOB, 'GET', '/api/agent/search?from=2026-03-03&to=2026-03-03&tz=Etc/GMT%2B5')),
    ).toEqual([t.parcel.id]);
    expect(ids(await api(BOB, 'GET', '/api/agent/search?from=1970-01-01&to=2026-03-03'))).toContain(
      t.parcel.id,
    );
    // Excluded words narrow a search that has a word.
    expect(ids(await api(BOB, 'GET', '/api/agent/search?q=delivered%20-tracking'))).toEqual([]);
    expect(ids(await api(BOB, 'GET', '/api/agent/search?q=parcel%20-refund'))).toEqual([t.parcel.id]);
    // Without words the snippet is the visitor's first message.
    const byDate = await api(BOB, 'GET', '/api/agent/search?to=2026-03-31');
    expect(byDate.body.results[0].snippet).toEqual([
      { text: 'Where is my parcel? Tracking says delivered', match: false },
    ]);

    const first = await api(BOB, 'GET', '/api/agent/search?from=2020-01-01&limit=2');
    // Newest first: by ticket id, which follows creation (the parcel ticket's date above was moved by hand).
    expect(ids(first)).toEqual([t.other.id, t.parcel.id]);
    const second = await api(
      BOB,
      'GET',
      `/api/agent/search?from=2020-01-01&limit=2&before=${first.body.next_before}`,
    );
    expect(ids(second)).toEqual([t.invoice.id, t.refund.id]);
    const third = await api(
      BOB,
      'GET',
      `/api/agent/search?from=2020-01-01&limit=2&before=${second.body.next_before}`,
    );
    expect(ids(third)).toEqual([t.old.id]);
    expect(third.body.next_before).toBeNull();
  });

  it('refuses bad input with a clear 400; agents only', async () => {
    for (const [query, message] of [
      ['', /at least one of q, email/],
      ['q=%20%20', /at least one of/],
      ['q=%26%7C!', /^q: no words/],
      ['phone=abc', /^phone: give some digits/],
      ['from=2026-13-01', /^from: not a calendar day/],
      ['from=yesterday', /^from: must be a date/],
      ['to=2026-01-01&tz=Mars/Olympus', /^tz: not a known time zone/],
      ['q=x&limit=500', /^limit/],
      ['q=x&agent=abc', /^agent/],
      ['q=x&sort=asc', /sort|Unrecognized/i],
      // Criteria are text: NUL and other control characters are refused before any SQL (PostgreSQL
      // refuses NUL in text: it was a 500).
      ['q=%00', /^q: must not contain control characters/],
      ['q=refund%00', /^q: must not contain control characters/],
      ['email=ada%00', /^email: must not contain control characters/],
      ['phone=12%0034', /^phone: must not contain control characters/],
      ['tag=%00', /^tag: must not contain control characters/],
      ['tz=%00&to=2026-01-01', /^tz: must not contain control characters/],
      ['q=x&email=a&q=y', /^q/],
      // A tag follows the tag rules.
      ['tag=no%20way', /^tag: may contain only letters/],
      ['tag=%23', /^tag: must not be empty/],
      [`tag=${'a'.repeat(33)}`, /^tag: must be at most 32 characters/],
      // Only excluded words: the index cannot answer, every message would be read.
      ['q=-refund', /^q: add a word to search for/],
      ['q=-refund%20-march', /^q: add a word to search for/],
      [`q=${encodeURIComponent('-"charged twice"')}`, /^q: add a word to search for/],
      ['q=refund%20or%20-march', /^q: add a word to search for/],
      ['q=-refund&tag=vip', /^q: add a word to search for/],
      // Year 0000 passes JavaScript's dates, PostgreSQL refuses it.
      ['from=0000-01-01', /^from: must be 1970-01-01 or later/],
      ['to=0000-12-31', /^to: must be 1970-01-01 or later/],
      // A raw UTC offset: PostgreSQL would read +05 as UTC−5.
      ['to=2026-01-01&tz=%2B05', /^tz: give a time zone name such as Europe\/Berlin/],
      ['to=2026-01-01&tz=%2B0500', /^tz: give a time zone name/],
      ['to=2026-01-01&tz=-03', /^tz: give a time zone name/],
    ] as const) {
      const response = await api(ALICE, 'GET', `/api/agent/search?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error).toEqual({
        code: 'validation_failed',
        message: expect.stringMatching(message),
      });
    }
    expect((await api(EVE, 'GET', '/api/agent/search?q=refund')).status).toBe(403);
    expect((await d.http.get('/api/agent/search?q=refund')).status).toBe(401);
    expect((await d.http.get('/api/agent/search?q=refund', { token: t.refund.visitor.token })).status).toBe(
      401,
    );
  });

  it('the ticket view’s earlier tickets: the same session, and for an identified visitor the other identified sessions with the identity’s email', async () => {
    // Ada's laptop session only left her email in the after-hours contact form: that proves nothing (anyone
    // can type an address there), so its ticket is not hers.
    const earlier = await api(ALICE, 'GET', `/api/agent/tickets/${t.invoice.id}/earlier`);
    expect(earlier.status).toBe(200);
    expect(earlier.body.tickets.map((e: { ticket_id: number; via: string }) => [e.ticket_id, e.via])).toEqual(
      [[t.refund.id, 'session']],
    );
    // Someone else types Ada's address in the contact form: still not listed under Ada.
    const impostor = await newVisitor(d.app.url);
    const fake = await ticket(impostor, 'Please send me the invoice for my account');
    const contact = await impostor.http.post(`/api/session/${impostor.sessionId}/contact`, {
      token: impostor.token,
      json: { email: 'ada@example.com' },
    });
    expect(contact.status).toBeLessThan(300);
    // Ada's work account (another identity of the host site) has the same email: that one is hers.
    const work = await newVisitor(d.app.url);
    const identified = await work.http.post(`/api/session/${work.sessionId}/identify`, {
      token: work.token,
      json: {
        id: 'user-ada-work',
        name: 'Ada Lovelace',
        email: 'ADA@example.com',
        hash: identityHash(SECRET, 'user-ada-work'),
      },
    });
    expect(identified.status).toBe(200);
    const workTicket = await ticket(work, 'The work account cannot see the invoices');
    const now = await api(ALICE, 'GET', `/api/agent/tickets/${t.invoice.id}/earlier`);
    expect(now.body.tickets.map((e: { ticket_id: number; via: string }) => [e.ticket_id, e.via])).toEqual([
      [workTicket.id, 'identity'],
      [t.refund.id, 'session'],
    ]);
    expect(now.body.tickets[0]).toMatchObject({
      status: 'open',
      preview: 'The work account cannot see the invoices',
    });
    // And the other way round; the impostor sees only their own session.
    const fromWork = await api(ALICE, 'GET', `/api/agent/tickets/${workTicket.id}/earlier`);
    expect(fromWork.body.tickets.map((e: { ticket_id: number }) => e.ticket_id)).toEqual([
      t.invoice.id,
      t.refund.id,
    ]);
    expect((await api(ALICE, 'GET', `/api/agent/tickets/${fake.id}/earlier`)).body.tickets).toEqual([]);
    await close(fake.id);
    await close(workTicket.id);
    // An anonymous visitor: their own session only.
    const anonymous = await api(ALICE, 'GET', `/api/agent/tickets/${t.old.id}/earlier`);
    expect(anonymous.body.tickets).toEqual([]);
    const other = await api(ALICE, 'GET', `/api/agent/tickets/${t.other.id}/earlier`);
    expect(other.body.tickets.map((e: { ticket_id: number }) => e.ticket_id)).toEqual([t.parcel.id]);
    expect((await api(ALICE, 'GET', '/api/agent/tickets/999999/earlier')).status).toBe(404);
    expect((await api(EVE, 'GET', `/api/agent/tickets/${t.old.id}/earlier`)).status).toBe(403);
  });

  it('earlier tickets read indexes, not every session or ticket (EXPLAIN over 6,000 sessions)', async () => {
    await sql(
      `insert into support_sessions (id, external_id, visitor_email, contact_email)
       select gen_random_uuid(), case when g % 2 = 0 then 'user-' || g end,
              case when g % 2 = 0 then 'person' || g || '@example.com' end, 'contact' || g || '@example.com'
         from generate_series(1, 6000) g`,
    );
    await sql(
      `insert into tickets (session_id, status, created_at, closed_at)
       select id, 'closed', now(), now() from support_sessions where visitor_email like 'person%' or contact_email like 'contact%'`,
    );
    await sql('analyze support_sessions');
    await sql('analyze tickets');
    const plan = (
      (await sql(`explain ${EARLIER_TICKETS_SQL}`, [t.invoice.id, t.invoice.id])) as {
        'QUERY PLAN': string;
      }[]
    )
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('support_sessions_identity_email_index');
    expect(plan).not.toMatch(/Seq Scan on (support_sessions|tickets)/);
    const earlier = await api(ALICE, 'GET', `/api/agent/tickets/${t.invoice.id}/earlier`);
    expect(earlier.body.tickets.map((e: { via: string }) => e.via)).toEqual(['identity', 'session']);
  });

  it('text search reads the GIN index, not every message (EXPLAIN over 12,000 messages)', async () => {
    await sql(
      `insert into messages (ticket_id, session_id, sender, body, created_at)
       select ?, (select session_id from tickets where id = ?), 'visitor',
              'filler message number ' || g || ' about shipping and billing', now()
         from generate_series(1, 12000) g`,
      [t.other.id, t.other.id],
    );
    await sql('analyze messages');
    // With sequential scans priced out, the plan shows whether the search's expression can be served by
    // the index at all (a mismatch with the index's expression leaves only the scan of every message).
    // Left to its costs, the planner chose the scan at this size in 2 of about 10 runs, both under load on
    // PGlite (the cause was not found).
    const plan = (
      (await d.app.orm.em.fork().transactional(async (tx) => {
        await tx.execute('set local enable_seqscan = off');
        return tx.execute(
          `explain select m.ticket_id from messages m
            where to_tsvector('simple'::regconfig, m.body) @@ websearch_to_tsquery('simple', 'refund')`,
        );
      })) as { 'QUERY PLAN': string }[]
    )
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('messages_body_search_index');
    expect(plan).not.toMatch(/Seq Scan on messages/);
    const found = await api(ALICE, 'GET', '/api/agent/search?q=refund');
    expect(ids(found)).toEqual([t.refund.id]);
  });
});
