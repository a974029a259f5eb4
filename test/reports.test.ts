import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../core/reports.service.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { agentsStartTheBot } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const GROUP = -1005550005555;
const ALICE = { id: 7001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 7002, first_name: 'Bob', username: 'bob' };
const EVE = { id: 7003, first_name: 'Eve', username: 'eve' };

type Fixture = {
  created: string;
  category: string | null;
  /** Seconds after opening of the first agent reply, and who sent it. */
  reply?: [number, 'alice' | 'bob'];
  /** Seconds after opening it was closed, and who had it. */
  closed?: [number, 'alice' | 'bob'];
  rating?: number;
  assigned?: 'alice' | 'bob';
};

/**
 * The hand-computed fixture: 2–4 March 2026 (Monday to Wednesday) in Europe/Berlin (UTC+1). Times are UTC.
 * Opened in the period (Berlin): T1 T2 T6 on Mon 2nd, T3 on Tue 3rd, T4 T5 on Wed 4th; T7 is after it.
 */
const TICKETS: Record<string, Fixture> = {
  T1: {
    created: '2026-03-02T09:00:00Z',
    category: 'Billing',
    reply: [60, 'alice'],
    closed: [600, 'alice'],
    rating: 5,
  },
  T2: {
    created: '2026-03-02T09:30:00Z',
    category: 'Billing',
    reply: [120, 'alice'],
    closed: [1200, 'alice'],
    rating: 4,
  },
  T3: { created: '2026-03-03T14:00:00Z', category: 'Technical', reply: [300, 'bob'], closed: [3600, 'bob'] },
  // Alice answered first, then handed it to Bob, who closed it.
  T4: {
    created: '2026-03-03T23:30:00Z',
    category: null,
    reply: [30, 'alice'],
    closed: [5400, 'bob'],
    rating: 1,
  },
  T5: { created: '2026-03-04T10:00:00Z', category: 'Billing' },
  // 00:30 on Monday in Berlin, still Sunday in UTC.
  T6: {
    created: '2026-03-01T23:30:00Z',
    category: 'Billing',
    reply: [600, 'bob'],
    closed: [900, 'bob'],
    rating: 3,
  },
  T7: {
    created: '2026-03-05T00:30:00Z',
    category: 'Billing',
    reply: [5, 'alice'],
    closed: [60, 'alice'],
    rating: 2,
  },
};

describe(`reports (${databaseKind})`, () => {
  const d = {} as { fake: FakeTelegram; app: TestApp; http: ReturnType<typeof httpClient> };
  const api = (user: { id: number; first_name: string }, path: string) =>
    d.http.request('GET', path, { headers: tma(signInitData(d.fake.token, user)) });
  const sql = (query: string, params: unknown[] = []) => d.app.orm.em.getConnection().execute(query, params);

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
    });
    d.http = httpClient(d.app.url);
    await agentsStartTheBot(d.fake, [ALICE, BOB]);
    const agents = {
      alice: (await api(ALICE, '/api/agent/me')).body.agent.id as number,
      bob: (await api(BOB, '/api/agent/me')).body.agent.id as number,
    };
    const at = (base: string, seconds: number) => new Date(Date.parse(base) + seconds * 1000).toISOString();
    for (const fixture of Object.values(TICKETS)) {
      const session = randomUUID();
      await sql('insert into support_sessions (id) values (?)', [session]);
      const owner = fixture.closed?.[1] ?? fixture.assigned;
      const [ticket] = (await sql(
        `insert into tickets (session_id, status, category, assigned_agent_id, created_at, closed_at, rating)
         values (?, ?, ?, ?, ?, ?, ?) returning id`,
        [
          session,
          fixture.closed ? 'closed' : 'open',
          fixture.category,
          owner ? agents[owner] : null,
          fixture.created,
          fixture.closed ? at(fixture.created, fixture.closed[0]) : null,
          fixture.rating ?? null,
        ],
      )) as { id: number }[];
      await sql(
        `insert into messages (ticket_id, session_id, sender, body, created_at) values (?, ?, 'visitor', 'Hi', ?)`,
        [ticket?.id, session, fixture.created],
      );
      if (fixture.reply) {
        for (const extra of [0, 30]) {
          await sql(
            `insert into messages (ticket_id, session_id, sender, agent_id, body, created_at) values (?, ?, 'agent', ?, 'Hello', ?)`,
            [
              ticket?.id,
              session,
              agents[extra ? 'bob' : fixture.reply[1]],
              at(fixture.created, fixture.reply[0] + extra),
            ],
          );
        }
      }
    }
  }, 90_000);
  afterAll(async () => {
    await d.app?.close();
    await d.fake?.close();
  });

  it('computes the figures in the agent’s time zone: per day, medians and p90s, CSAT, busiest hours', async () => {
    const response = await api(ALICE, '/api/agent/reports?from=2026-03-02&to=2026-03-04&tz=Europe/Berlin');
    expect(response.status).toBe(200);
    const report = response.body;
    expect(report.days).toEqual([
      { day: '2026-03-02', opened: 3, closed: 3 },
      { day: '2026-03-03', opened: 1, closed: 1 },
      { day: '2026-03-04', opened: 2, closed: 1 },
    ]);
    // First responses [30, 60, 120, 300, 600]: median 120, p90 = 300 + 0.6 × 300.
    // Resolutions [600, 900, 1200, 3600, 5400]: median 1200, p90 = 3600 + 0.6 × 1800.
    expect(report.totals).toEqual({
      name: 'All',
      first_response: { count: 5, median_seconds: 120, p90_seconds: 480 },
      resolution: { count: 5, median_seconds: 1200, p90_seconds: 4680 },
    });
    expect(report.by_agent).toEqual([
      {
        name: 'Alice',
        first_response: { count: 3, median_seconds: 60, p90_seconds: 108 },
        resolution: { count: 2, median_seconds: 900, p90_seconds: 1140 },
      },
      {
        name: 'Bob',
        first_response: { count: 2, median_seconds: 450, p90_seconds: 570 },
        resolution: { count: 3, median_seconds: 3600, p90_seconds: 5040 },
      },
    ]);
    expect(report.by_category).toEqual([
      {
        name: '(none)',
        first_response: { count: 1, median_seconds: 30, p90_seconds: 30 },
        resolution: { count: 1, median_seconds: 5400, p90_seconds: 5400 },
      },
      {
        name: 'Billing',
        first_response: { count: 3, median_seconds: 120, p90_seconds: 504 },
        resolution: { count: 3, median_seconds: 900, p90_seconds: 1140 },
      },
      {
        name: 'Technical',
        first_response: { count: 1, median_seconds: 300, p90_seconds: 300 },
        resolution: { count: 1, median_seconds: 3600, p90_seconds: 3600 },
      },
    ]);
    expect(report.csat).toEqual({
      closed: 5,
      rated: 4,
      ratings: [1, 0, 1, 1, 1],
      rated_share: 0.8,
      average: 3.25,
    });
    const cells = report.busiest.flatMap((hours: number[], day: number) =>
      hours.flatMap((n, hour) => (n ? [[day, hour, n]] : [])),
    );
    expect(cells).toEqual([
      [0, 0, 1],
      [0, 10, 2],
      [1, 15, 1],
      [2, 0, 1],
      [2, 11, 1],
    ]);
  });

  it('days follow the time zone: the same period in UTC counts other tickets; an empty period is all zeros', async () => {
    const utc = (await api(BOB, '/api/agent/reports?from=2026-03-02&to=2026-03-04')).body;
    expect(utc.tz).toBe('UTC');
    expect(utc.days.map((day: { opened: number }) => day.opened)).toEqual([2, 2, 1]);
    const empty = (await api(BOB, '/api/agent/reports?from=2025-01-01&to=2025-01-02&tz=Asia/Tokyo')).body;
    expect(empty.days).toEqual([
      { day: '2025-01-01', opened: 0, closed: 0 },
      { day: '2025-01-02', opened: 0, closed: 0 },
    ]);
    // A fixed offset is named the IANA way (Etc/GMT-1 is UTC+1, as Berlin in early March): same days.
    const fixed = (await api(BOB, '/api/agent/reports?from=2026-03-02&to=2026-03-04&tz=Etc/GMT-1')).body;
    expect(fixed.days.map((day: { opened: number }) => day.opened)).toEqual([3, 1, 2]);
    // The last day there is still works.
    const last = await api(BOB, '/api/agent/reports?from=9999-12-30&to=9999-12-31&tz=Pacific/Kiritimati');
    expect(last.status).toBe(200);
    expect(last.body.days.map((day: { day: string }) => day.day)).toEqual(['9999-12-30', '9999-12-31']);
    expect(empty.totals.first_response).toEqual({ count: 0, median_seconds: null, p90_seconds: null });
    expect(empty.by_agent).toEqual([]);
    expect(empty.csat).toEqual({
      closed: 0,
      rated: 0,
      ratings: [0, 0, 0, 0, 0],
      rated_share: null,
      average: null,
    });
  });

  it('exports the same figures as CSV, a download', async () => {
    const response = await api(
      ALICE,
      '/api/agent/reports.csv?from=2026-03-02&to=2026-03-04&tz=Europe/Berlin',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="switchboard-report-2026-03-02-2026-03-04.csv"',
    );
    const lines = String(response.body).split('\r\n');
    expect(lines.slice(0, 8)).toEqual([
      'report,from,to,time zone',
      'Switchboard,2026-03-02,2026-03-04,Europe/Berlin',
      '',
      'day,opened,closed',
      '2026-03-02,3,3',
      '2026-03-03,1,1',
      '2026-03-04,2,1',
      '',
    ]);
    expect(lines).toContain(
      'total,first response tickets,first response median (s),first response p90 (s),resolution tickets,resolution median (s),resolution p90 (s)',
    );
    expect(lines).toContain('All,5,120,480,5,1200,4680');
    expect(lines).toContain('Alice,3,60,108,2,900,1140');
    expect(lines).toContain('Billing,3,120,504,3,900,1140');
    expect(lines).toContain('(none),1,30,30,1,5400,5400');
    expect(lines.slice(lines.indexOf('rating,tickets'), lines.indexOf('rating,tickets') + 8)).toEqual([
      'rating,tickets',
      '1,1',
      '2,0',
      '3,1',
      '4,1',
      '5,1',
      'closed,5',
      'rated,4',
    ]);
    expect(lines).toContain(`Mon,1,0,0,0,0,0,0,0,0,0,2,${Array(13).fill(0).join(',')}`);
    expect(String(response.body).endsWith('\r\n')).toBe(true);
  });

  it('CSV cells are quoted and formulas neutralised', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
  });

  it('refuses a bad period with a clear 400; agents only', async () => {
    for (const [query, message] of [
      ['', /^from/],
      ['from=2026-03-02', /^to/],
      ['from=2026-02-30&to=2026-03-01', /^from: not a calendar day/],
      ['from=2026-03-05&to=2026-03-01', /^to: must not be before from/],
      ['from=2020-01-01&to=2026-01-01', /^to: a report covers at most 366 days/],
      ['from=2026-03-01&to=2026-03-02&tz=Not/AZone', /^tz: not a known time zone/],
      ['from=2026-03-01&to=2026-03-02&tz=UTC%27--', /^tz: not a known time zone/],
      // Year 0000 passes JavaScript's dates, PostgreSQL refuses it: a 400, not a failed query.
      ['from=0000-01-01&to=0000-01-02', /^from: must be 1970-01-01 or later/],
      ['from=1969-12-31&to=1970-01-01', /^from: must be 1970-01-01 or later/],
      // A raw offset: PostgreSQL would read +05 as UTC−5 and shift every day.
      ['from=2026-03-01&to=2026-03-02&tz=%2B05', /^tz: give a time zone name such as Europe\/Berlin/],
      ['from=2026-03-01&to=2026-03-02&tz=%2B0500', /^tz: give a time zone name/],
      ['from=2026-03-01&to=2026-03-02&tz=-03', /^tz: give a time zone name/],
      ['from=2026-03-01&to=2026-03-02&tz=UTC%2B5', /^tz: not a known time zone/],
      ['from=2026-03-01&to=2026-03-02&tz=%00', /^tz: must not contain control characters/],
      ['from=2026-03-01&to=2026-03-02&tz=Europe%2FBerlin%00', /^tz: must not contain control characters/],
      ['from=2026-03-01%00&to=2026-03-02', /^from: must be a date/],
      ['from=2026-03-01&to=2026-03-02&x=1', /x|Unrecognized/i],
    ] as const) {
      const response = await api(ALICE, `/api/agent/reports?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error).toEqual({
        code: 'validation_failed',
        message: expect.stringMatching(message),
      });
      expect((await api(ALICE, `/api/agent/reports.csv?${query}`)).status).toBe(400);
    }
    expect((await api(EVE, '/api/agent/reports?from=2026-03-02&to=2026-03-04')).status).toBe(403);
    expect((await d.http.get('/api/agent/reports.csv?from=2026-03-02&to=2026-03-04')).status).toBe(401);
  });
});
