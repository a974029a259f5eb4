import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../app/config.ts';
import { openInAppUrl, renderCard } from '../bot/render/card.ts';
import { createInProcessEventBus } from '../core/event-bus.ts';
import type { OutboundJob } from '../core/outbox.ts';
import { createServices } from '../core/services.ts';
import { effectivePresence, scheduleAt } from '../core/working-hours.ts';
import { Agent } from '../db/entities/index.ts';
import { createOrm, migrate } from '../db/orm.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { createTestDatabase, databaseKind } from './support/database.ts';
import { httpClient } from './support/http.ts';
import { signInitData, tma } from './support/init-data.ts';
import { agentsStartTheBot, fakeSupportGroup } from './support/support-group.ts';
import { linkedToTicket } from './support/telegram-links.ts';
import { createTestOrm, inContext, startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor } from './support/visitor.ts';

/** Issue 13 §1–2, §6: presence and shifts, skills on the card, priority, the card's "Open in app". */
const GROUP = -1001234567013;
const ALICE = { id: 13001, first_name: 'Alice', username: 'alice' };
const BOB = { id: 13002, first_name: 'Bob', username: 'bob' };
const CAROL = { id: 13003, first_name: 'Carol <C&C>' };
const MINUTE = 60_000;

type Button = { text: string; url?: string; callback_data?: string };
type Sent = { message_id: number; text?: string; reply_markup?: { inline_keyboard?: Button[][] } };
const buttonsOf = (message: Sent | undefined) => (message?.reply_markup?.inline_keyboard ?? []).flat();

// 2026-12-07 is a Monday. New York is on EST (UTC−5) then; Tokyo is UTC+9 all year.
const at = (iso: string) => new Date(iso);
const WEEKDAYS_9_TO_6 = [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '18:00' }));

describe('working hours (pure)', () => {
  it('are read in the agent’s time zone, across midnight and daylight-saving changes', () => {
    // 13:59 UTC = 08:59 in New York: before hours; 14:00 UTC = 09:00: the start is the last boundary.
    expect(scheduleAt(WEEKDAYS_9_TO_6, 'America/New_York', at('2026-12-07T13:59:00Z')).inside).toBe(false);
    const started = scheduleAt(WEEKDAYS_9_TO_6, 'America/New_York', at('2026-12-07T14:00:00Z'));
    expect(started).toEqual({ inside: true, lastBoundary: at('2026-12-07T14:00:00Z') });
    // The same wall-clock hours in July (EDT, UTC−4) start an hour earlier in UTC.
    expect(scheduleAt(WEEKDAYS_9_TO_6, 'America/New_York', at('2026-07-06T13:30:00Z')).inside).toBe(true);
    // Saturday in Tokyo while it is still Friday in UTC: outside; the last boundary was Friday 18:00 JST.
    const saturday = scheduleAt(WEEKDAYS_9_TO_6, 'Asia/Tokyo', at('2026-12-11T16:00:00Z'));
    expect(saturday).toEqual({ inside: false, lastBoundary: at('2026-12-11T09:00:00Z') });
    // A night shift, 22:00–06:00 Monday night in Berlin (UTC+1): inside at 02:00 Tuesday local.
    const night = [{ day: 1, start: '22:00', end: '06:00' }];
    expect(scheduleAt(night, 'Europe/Berlin', at('2026-12-08T01:00:00Z')).inside).toBe(true);
    expect(scheduleAt(night, 'Europe/Berlin', at('2026-12-08T05:00:00Z')).inside).toBe(false);
  });

  it('switch the agent at each boundary; a choice holds until the next; silence means away', () => {
    const base = {
      presence: 'offline' as const,
      presenceSetAt: at('2026-12-04T12:00:00Z'),
      timeZone: 'America/New_York',
      workingHours: WEEKDAYS_9_TO_6,
    };
    const seenNow = (iso: string) => ({ ...base, lastSeenAt: at(iso) });
    // Hours started after the choice: online.
    expect(
      effectivePresence(seenNow('2026-12-07T14:05:00Z'), at('2026-12-07T14:05:00Z'), 15 * MINUTE),
    ).toEqual({ state: 'online', reason: 'hours', inHours: true });
    // The agent chose away inside hours: it holds…
    const away = {
      ...seenNow('2026-12-07T15:00:00Z'),
      presence: 'away' as const,
      presenceSetAt: at('2026-12-07T15:00:00Z'),
    };
    expect(effectivePresence(away, at('2026-12-07T22:59:00Z'), 15 * MINUTE).state).toBe('away');
    // …until the end of hours (18:00 New York = 23:00 UTC): offline.
    expect(effectivePresence(away, at('2026-12-07T23:01:00Z'), 15 * MINUTE)).toEqual({
      state: 'offline',
      reason: 'hours',
      inHours: false,
    });
    // Online by hours but not seen for 15 minutes: away.
    expect(
      effectivePresence(seenNow('2026-12-07T14:00:00Z'), at('2026-12-07T14:16:00Z'), 15 * MINUTE),
    ).toEqual({
      state: 'away',
      reason: 'inactive',
      inHours: true,
    });
  });
});

describe('working hours are cheap to check', () => {
  it('once the day’s boundaries are known, a check formats the time once', () => {
    const agent = {
      presence: 'online' as const,
      presenceSetAt: at('2026-12-01T00:00:00Z'),
      lastSeenAt: at('2026-12-07T14:00:00Z'),
      timeZone: 'Australia/Lord_Howe', // a half-hour daylight-saving change
      workingHours: [...WEEKDAYS_9_TO_6, { day: 0, start: '22:00', end: '06:00' }],
    };
    const first = effectivePresence(agent, at('2026-12-07T14:00:00Z'), 15 * MINUTE);
    const formatToParts = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      for (let second = 1; second <= 10; second += 1) {
        const again = effectivePresence(
          agent,
          new Date(at('2026-12-07T14:00:00Z').getTime() + second * 1000),
          15 * MINUTE,
        );
        expect(again).toEqual(first);
      }
      expect(formatToParts.mock.calls.length).toBeLessThanOrEqual(10);
    } finally {
      formatToParts.mockRestore();
    }
  });
});

describe('CATEGORY_SKILLS and the card (pure)', () => {
  it('parses Category:skill|skill, normalised; refuses what it cannot read, saying where', () => {
    const config = parseConfig({ CATEGORY_SKILLS: 'Billing:Billing|Payments, Technical : tech support' });
    expect(config.presence.categorySkills).toEqual({
      Billing: ['billing', 'payments'],
      Technical: ['tech-support'],
    });
    expect(config.presence.awayAfterMs).toBe(15 * MINUTE);
    expect(() => parseConfig({ CATEGORY_SKILLS: 'Billing' })).toThrow(/CATEGORY_SKILLS.*item 1/);
    expect(() => parseConfig({ CATEGORY_SKILLS: 'Billing:ok|no way!' })).toThrow(/CATEGORY_SKILLS/);
    expect(() => parseConfig({ AGENT_AWAY_AFTER_MINUTES: '0' })).toThrow(/AGENT_AWAY_AFTER_MINUTES/);
    expect(() => parseConfig({ MINIAPP_SHORT_NAME: 'no/slash' })).toThrow(/MINIAPP_SHORT_NAME/);
  });

  it('names at most ten online agents, escaped, and the Open in app link; claimed cards name nobody', () => {
    const card = {
      id: 7,
      status: 'open' as const,
      category: 'Billing',
      priority: 'high' as const,
      firstMessage: 'Hi',
      latestMessage: null,
      visitorMessageCount: 1,
      passedBy: [],
      claimedBy: null,
      contact: null,
      groupMessageId: null,
      locale: null,
      rating: null,
      page: null,
      identity: null,
    };
    const online = Array.from({ length: 12 }, (_, index) => ({
      name: `<b>Agent ${index}</b>`,
      username: index === 0 ? 'first_agent' : null,
      tgChatId: 100 + index,
    }));
    const url = openInAppUrl('my_bot', 7);
    expect(url).toBe('https://t.me/my_bot?startapp=ticket-7');
    expect(openInAppUrl('my_bot', 7, 'desk')).toBe('https://t.me/my_bot/desk?startapp=ticket-7');
    const { text, keyboard } = renderCard(card, { online, openInAppUrl: url });
    expect(text).toContain('🔴 <b>High priority</b>');
    expect(text).toContain(
      '🟢 Online: @first_agent, <a href="tg://user?id=101">&lt;b&gt;Agent 1&lt;/b&gt;</a>',
    );
    expect(text).toContain('+2 more');
    expect(text).not.toContain('Agent 10');
    expect(keyboard.inline_keyboard.flat().map((button) => button.text)).toEqual([
      '✅ Claim',
      '↩️ Pass',
      '📱 Open in app',
    ]);
    const claimed = renderCard(
      { ...card, status: 'claimed', claimedBy: { name: 'Ann', username: null } },
      { online, openInAppUrl: url },
    );
    expect(claimed.text).not.toContain('Online');
    expect(claimed.keyboard.inline_keyboard.flat()).toEqual([{ text: '📱 Open in app', url }]);
    expect(renderCard(card, { online: [] }).text).toContain('💤 Nobody with this skill is online');
    // Without presence data (no extras) the card is as before: no online line, no link.
    expect(renderCard(card).text).not.toMatch(/Online|Nobody/);
  });
});

describe(`presence in core (${databaseKind})`, () => {
  let close: () => Promise<void>;
  let services: ReturnType<typeof createServices>;
  let run: <T>(fn: () => Promise<T>) => Promise<T>;
  let clock = at('2026-12-07T13:00:00Z');
  const jobs: OutboundJob[] = [];

  beforeAll(async () => {
    const test = await createTestOrm();
    close = test.close;
    run = (fn) => inContext(test.orm, fn);
    services = createServices({
      em: test.orm.em,
      bus: createInProcessEventBus(),
      outbox: {
        enqueue: async (_tx, job) => void jobs.push(job),
        enqueueMany: async (_tx, many) => void jobs.push(...many),
      },
      presence: {
        now: () => clock,
        awayAfterMs: 15 * MINUTE,
        categorySkills: { Billing: ['billing', 'payments'] },
      },
    });
  });
  afterAll(async () => close?.());

  it('availableAgents: effectively online, with the skill (or none: a generalist), least loaded first', async () => {
    const [ada, ben, cyd] = await run(async () => [
      await services.agents.upsert({ tgChatId: 501, name: 'Ada' }),
      await services.agents.upsert({ tgChatId: 502, name: 'Ben' }),
      await services.agents.upsert({ tgChatId: 503, name: 'Cyd' }),
    ]);
    await run(async () => {
      await services.presence.setSkills(ada.id, ['Payments']);
      await services.presence.setSkills(ben.id, ['Tech Support']);
      await services.presence.setPresence(ada.id, 'online');
      await services.presence.setPresence(ben.id, 'online');
      await services.presence.setPresence(cyd.id, 'away');
    });
    const billing = await run(() => services.presence.availableAgents({ category: 'Billing' }));
    expect(billing.map((agent) => agent.name)).toEqual(['Ada']);
    expect(billing[0]?.skills).toEqual(['payments']);
    const tech = await run(() => services.presence.availableAgents({ skill: 'tech-support' }));
    expect(tech.map((agent) => agent.name)).toEqual(['Ben']);
    // An unconfigured category needs the skill named like it.
    expect(services.presence.skillsOfCategory('Technical')).toEqual(['technical']);
    expect(await run(() => services.presence.availableAgents({ category: 'Technical' }))).toEqual([]);
    // Every online agent, without a skill asked; ties broken by the longest idle.
    expect((await run(() => services.presence.availableAgents())).map((agent) => agent.name)).toEqual([
      'Ada',
      'Ben',
    ]);
    // A bad skill is refused as a validation error.
    await expect(run(() => services.presence.setSkills(ada.id, ['no spaces!']))).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('working hours switch an agent on and off in their time zone; a manual choice holds until the next boundary', async () => {
    const dana = await run(() => services.agents.upsert({ tgChatId: 504, name: 'Dana' }));
    clock = at('2026-12-07T13:00:00Z'); // 08:00 in New York
    await run(() =>
      services.presence.setWorkingHours(dana.id, { timeZone: 'America/New_York', days: WEEKDAYS_9_TO_6 }),
    );
    const state = async () => (await run(() => services.presence.member(dana.id))).state;
    expect(await state()).toBe('offline');
    clock = at('2026-12-07T14:01:00Z'); // 09:01: hours started
    await run(() => services.presence.seen(dana.id));
    expect(await state()).toBe('online');
    await run(() => services.presence.setPresence(dana.id, 'away'));
    clock = at('2026-12-07T22:30:00Z');
    expect(await state()).toBe('away');
    clock = at('2026-12-07T23:00:00Z'); // 18:00: hours ended
    expect(await state()).toBe('offline');
    // Invalid zones and times are refused (400s at the API).
    await expect(
      run(() => services.presence.setWorkingHours(dana.id, { timeZone: 'Mars/Olympus', days: [] })),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('away after inactivity; seen again, online again — "last seen" written at most once a minute', async () => {
    const eli = await run(() => services.agents.upsert({ tgChatId: 505, name: 'Eli' }));
    clock = at('2026-12-08T10:00:00Z');
    await run(() => services.presence.setPresence(eli.id, 'online'));
    clock = at('2026-12-08T10:14:00Z');
    expect((await run(() => services.presence.member(eli.id))).state).toBe('online');
    clock = at('2026-12-08T10:16:00Z');
    expect((await run(() => services.presence.member(eli.id))).state).toBe('away');
    await run(() => services.presence.seen(eli.id));
    const back = await run(() => services.presence.member(eli.id));
    expect(back).toMatchObject({ state: 'online', lastSeenAt: at('2026-12-08T10:16:00Z') });
    // Seen again 30 s later: no write.
    clock = at('2026-12-08T10:16:30Z');
    await run(() => services.presence.seen(eli.id));
    expect((await run(() => services.presence.member(eli.id))).lastSeenAt).toEqual(
      at('2026-12-08T10:16:00Z'),
    );
  });

  it('refreshes the unclaimed cards when who is online changes (also when someone goes quiet), once per change', async () => {
    const sessionId = await run(() => services.sessions.createSession({}));
    const { ticket } = await run(() =>
      services.messages.sendVisitorMessage({ sessionId, body: 'Refund please', category: 'Billing' }),
    );
    await run(() => services.presence.refreshCardsIfTeamChanged());
    jobs.length = 0;
    // Nothing changed since: nothing to refresh.
    expect(await run(() => services.presence.refreshCardsIfTeamChanged())).toBe(0);
    const gus = await run(() => services.agents.upsert({ tgChatId: 507, name: 'Gus' }));
    await run(() => services.presence.setPresence(gus.id, 'online'));
    expect(jobs).toEqual([{ type: 'ticket.card', ticketId: ticket.id }]);
    // Sixteen minutes of silence from everyone: the periodic check sees the team go away, once.
    jobs.length = 0;
    clock = new Date(clock.getTime() + 16 * MINUTE);
    expect(await run(() => services.presence.refreshCardsIfTeamChanged())).toBe(1);
    expect(await run(() => services.presence.refreshCardsIfTeamChanged())).toBe(0);
    expect(await run(() => services.presence.availableAgents())).toEqual([]);
    // Gus writes again: online, and the card is refreshed.
    jobs.length = 0;
    await run(() => services.presence.seen(gus.id));
    expect(jobs).toEqual([{ type: 'ticket.card', ticketId: ticket.id }]);
  });
});

describe(`a presence change refreshes only the cards it changes (${databaseKind})`, () => {
  let close: () => Promise<void>;
  let orm: Awaited<ReturnType<typeof createTestOrm>>['orm'];
  let run: <T>(fn: () => Promise<T>) => Promise<T>;
  let clock = at('2026-12-09T10:00:00Z');
  const jobs: OutboundJob[] = [];
  const servicesOf = () =>
    createServices({
      em: orm.em,
      bus: createInProcessEventBus(),
      outbox: {
        enqueue: async (_tx, job) => void jobs.push(job),
        enqueueMany: async (_tx, many) => void jobs.push(...many),
      },
      presence: {
        now: () => clock,
        awayAfterMs: 15 * MINUTE,
        categorySkills: { Billing: ['billing', 'payments'], Technical: ['tech-support'] },
      },
      assignment: { mode: 'auto', capacity: 3, offerMs: MINUTE },
    });
  /** Two instances of the app on one database. */
  let services: ReturnType<typeof createServices>;
  let other: ReturnType<typeof createServices>;
  const tickets: Record<'billing' | 'technical' | 'none', number[]> = {
    billing: [],
    technical: [],
    none: [],
  };
  /** The card jobs queued since the last call, as ticket ids in order; and whether offers were rebalanced. */
  const queued = () => {
    const cards = jobs
      .flatMap((job) => (job.type === 'ticket.card' ? [job.ticketId] : []))
      .sort((a, b) => a - b);
    const rebalanced = jobs.some((job) => job.type === 'tickets.assign-waiting');
    jobs.length = 0;
    return { cards, rebalanced };
  };
  const ids = (...groups: number[][]) => groups.flat().sort((a, b) => a - b);

  beforeAll(async () => {
    const test = await createTestOrm();
    close = test.close;
    orm = test.orm;
    run = (fn) => inContext(test.orm, fn);
    services = servicesOf();
    other = servicesOf();
    const open = async (category: string | undefined) => {
      const sessionId = await run(() => services.sessions.createSession({}));
      const { ticket } = await run(() =>
        services.messages.sendVisitorMessage({ sessionId, body: 'Help', category }),
      );
      return ticket.id;
    };
    for (let i = 0; i < 3; i += 1) tickets.billing.push(await open('Billing'));
    for (let i = 0; i < 2; i += 1) tickets.technical.push(await open('Technical'));
    tickets.none.push(await open(undefined));
    // A claimed ticket's card names nobody: never refreshed for presence.
    const claimedId = await open('Billing');
    const claimer = await run(() => services.agents.upsert({ tgChatId: 609, name: 'Claire' }));
    await run(() => services.tickets.claim(claimedId, claimer.id));
    await run(() => services.presence.refreshCardsIfTeamChanged());
    queued();
  });
  afterAll(async () => close?.());

  it('an agent with a skill: only the cards of categories needing it (and those needing none)', async () => {
    const billy = await run(() => services.agents.upsert({ tgChatId: 601, name: 'Billy' }));
    const tess = await run(() => services.agents.upsert({ tgChatId: 602, name: 'Tess', tgUsername: 'tess' }));
    await run(() => services.presence.setSkills(billy.id, ['billing']));
    await run(() => services.presence.setSkills(tess.id, ['Tech Support']));
    expect(queued()).toEqual({ cards: [], rebalanced: false }); // nobody online: no card changed

    await run(() => services.presence.setPresence(billy.id, 'online'));
    expect(queued()).toEqual({ cards: ids(tickets.billing, tickets.none), rebalanced: true });
    await run(() => services.presence.setPresence(tess.id, 'online'));
    expect(queued()).toEqual({ cards: ids(tickets.technical, tickets.none), rebalanced: true });
    // Nothing changed since: nothing queued, by either instance.
    expect(await run(() => other.presence.refreshCardsIfTeamChanged())).toBe(0);
    expect(queued()).toEqual({ cards: [], rebalanced: false });

    // Tess goes away (the 15-minute idle flip): the Billing cards do not name her and are left alone.
    await run(() => services.presence.setPresence(tess.id, 'away'));
    expect(queued()).toEqual({ cards: ids(tickets.technical, tickets.none), rebalanced: true });

    // Billy gains a skill that changes no card's list: no card, but routing changed.
    await run(() => services.presence.setSkills(billy.id, ['billing', 'vip']));
    expect(queued()).toEqual({ cards: [], rebalanced: true });

    // Billy is renamed (a Telegram profile change): the cards that name him, not the others; routing is
    // unchanged. The periodic check (another instance) sees it.
    await run(() => services.agents.upsert({ tgChatId: 601, name: 'Billy B.', tgUsername: 'billy' }));
    expect(await run(() => other.presence.refreshCardsIfTeamChanged())).toBe(4);
    expect(queued()).toEqual({ cards: ids(tickets.billing, tickets.none), rebalanced: false });
  });

  it('a generalist is on every unclaimed card; the clock flipping them away refreshes them once, on one instance', async () => {
    const gene = await run(() => services.agents.upsert({ tgChatId: 603, name: 'Gene' }));
    await run(() => services.presence.setPresence(gene.id, 'online'));
    expect(queued()).toEqual({
      cards: ids(tickets.billing, tickets.technical, tickets.none),
      rebalanced: true,
    });
    // Billy stays active; Gene goes quiet for 16 minutes: both instances' watches look at once.
    const billy = (await run(() => services.presence.team())).find((member) => member.name === 'Billy B.');
    clock = new Date(clock.getTime() + 10 * MINUTE);
    await run(() => services.presence.seen(billy?.id ?? 0));
    clock = new Date(clock.getTime() + 6 * MINUTE);
    const counts = await Promise.all([
      run(() => services.presence.refreshCardsIfTeamChanged()),
      run(() => other.presence.refreshCardsIfTeamChanged()),
    ]);
    expect(counts.sort()).toEqual([0, 6]);
    expect(queued()).toEqual({
      cards: ids(tickets.billing, tickets.technical, tickets.none),
      rebalanced: true,
    });
  });

  it('what an earlier version stored (not readable) refreshes every unclaimed card once', async () => {
    for (const stored of ['1:billing|payments,3:', '[1,2]']) {
      await orm.em
        .fork()
        .getConnection()
        .execute(`update settings set value = ? where key = 'presence.cards'`, [stored]);
      expect(await run(() => services.presence.refreshCardsIfTeamChanged())).toBe(6);
      expect(queued()).toEqual({
        cards: ids(tickets.billing, tickets.technical, tickets.none),
        rebalanced: true,
      });
    }
    expect(await run(() => services.presence.refreshCardsIfTeamChanged())).toBe(0);
  });
});

describe(`the is_online column becomes presence (${databaseKind})`, () => {
  it('keeps online agents online', async () => {
    const database = await createTestDatabase();
    const orm = await createOrm(database.options, { fromTemplate: false });
    try {
      await orm.migrator.up({ to: 'Migration20261130192000_agent_message_ids' });
      await orm.em
        .getConnection()
        .execute(
          `insert into agents (name, tg_chat_id, is_online) values ('On', 1, true), ('Off', 2, false)`,
        );
      await migrate(orm);
      const agents = await orm.em.fork().find(Agent, {}, { orderBy: { tgChatId: 'asc' } });
      expect(agents.map((agent) => [agent.name, agent.presence])).toEqual([
        ['On', 'online'],
        ['Off', 'offline'],
      ]);
    } finally {
      await orm.close();
      await database.drop();
    }
    // A new cluster migrated in two steps: on PGlite on a busy 2-core machine that alone can take most
    // of the default 30 s.
  }, 90_000);
});

describe(`presence, skills, priority and "Open in app" end to end (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;

  const as = (user: { id: number; first_name: string; username?: string }) =>
    tma(signInitData(fake.token, user));
  const api = (user: typeof ALICE | typeof CAROL, method: string, path: string, json?: unknown) =>
    http.request(method, path, { headers: as(user as typeof ALICE), json });
  const cardOf = (ticketId: number) =>
    fake
      .messages(GROUP)
      .find((m: Sent) => new RegExp(`^(🆕|✅|☑️) #${ticketId}( |$)`, 'm').test(m.text ?? '')) as
      | Sent
      | undefined;
  const cardWith = (ticketId: number, check: (card: Sent) => boolean) =>
    fake.waitFor(
      () => {
        const card = cardOf(ticketId);
        return card && check(card) ? card : undefined;
      },
      { timeoutMs: 15_000 },
    );
  const say = async (user: { id: number }, text: string, pattern: RegExp) => {
    const before = fake.sentTo(user.id).length;
    fake.sendText({ from: user.id, text });
    return fake.waitFor(
      () =>
        fake
          .sentTo(user.id)
          .slice(before)
          .find((m: Sent) => pattern.test(m.text ?? '')) as Sent | undefined,
      { timeoutMs: 15_000 },
    );
  };
  const newTicket = async (body: string, category?: string) => {
    const visitor = await newVisitor(app.url);
    const sent = await visitor.say(body, category);
    const card = await cardWith(sent.ticket.id, () => true);
    await linkedToTicket(app.orm, GROUP, card.message_id); // team members reply to the card
    return { visitor, ticketId: sent.ticket.id as number, card };
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    const env = fakeSupportGroup(fake, GROUP, [ALICE, BOB, CAROL]);
    fake.setChatMember(GROUP, ALICE.id, 'administrator');
    app = await startTestApp({
      ...env,
      CATEGORY_SKILLS: 'Billing:billing|payments',
      MINIAPP_URL: 'https://support.example.com/miniapp/',
      MINIAPP_SHORT_NAME: 'desk',
      RATE_LIMIT_MESSAGES: '100',
    });
    http = httpClient(app.url);
    await agentsStartTheBot(fake, [ALICE, BOB, CAROL]);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('/online, /away, /offline answer with the new state; the commands are in the menu', async () => {
    expect(await say(ALICE, '/away', /You are/)).toMatchObject({ text: expect.stringContaining('🌙 away') });
    expect(await say(ALICE, '/offline', /You are/)).toMatchObject({
      text: expect.stringContaining('⚫️ offline'),
    });
    expect(await say(ALICE, '/online', /You are/)).toMatchObject({
      text: expect.stringContaining('🟢 online'),
    });
    const commands = fake.myCommands({ scope: { type: 'all_private_chats' } })?.map((c) => c.command);
    expect(commands).toEqual(expect.arrayContaining(['online', 'away', 'offline', 'priority']));
    const me = await api(ALICE, 'GET', '/api/agent/team');
    expect(me.status).toBe(200);
    expect(me.body.members[0]).toMatchObject({ name: 'Alice', me: true, state: 'online', chosen: 'online' });
  });

  it('the Mini App toggle, skills (own; others only for admins) and working hours, with clear 4xx errors', async () => {
    const away = await api(BOB, 'PUT', '/api/agent/team/me/presence', { state: 'away' });
    expect(away.status).toBe(200);
    expect(away.body.member).toMatchObject({ name: 'Bob', state: 'away', chosen: 'away', me: true });
    const bad = await api(BOB, 'PUT', '/api/agent/team/me/presence', { state: 'busy' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');

    const skills = await api(BOB, 'PUT', '/api/agent/team/me/skills', { skills: ['Tech', 'tech'] });
    expect(skills.body.member.skills).toEqual(['tech']);
    const team = await api(BOB, 'GET', '/api/agent/team');
    expect(team.body.admin).toBe(false);
    expect(team.body.category_skills).toEqual(
      expect.arrayContaining([
        { category: 'Billing', skills: ['billing', 'payments'] },
        { category: 'Technical', skills: ['technical'] },
      ]),
    );
    const alice = team.body.members.find((m: { name: string }) => m.name === 'Alice');
    const bob = team.body.members.find((m: { name: string }) => m.name === 'Bob');
    // Bob is a member, not an admin: he cannot set Alice's skills.
    const refused = await api(BOB, 'PUT', `/api/agent/team/${alice.id}/skills`, { skills: ['billing'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    // Alice administers the group: she can.
    expect((await api(ALICE, 'GET', '/api/agent/team')).body.admin).toBe(true);
    const set = await api(ALICE, 'PUT', `/api/agent/team/${alice.id}/skills`, { skills: ['billing'] });
    expect(set.status).toBe(200);
    const unknown = await api(ALICE, 'PUT', '/api/agent/team/999999/skills', { skills: [] });
    expect(unknown.status).toBe(404);
    const malformed = await api(ALICE, 'PUT', `/api/agent/team/${bob.id}/skills`, { skills: ['two words!'] });
    expect(malformed.status).toBe(400);

    const hours = await api(BOB, 'PUT', '/api/agent/team/me/hours', {
      time_zone: 'Asia/Tokyo',
      days: WEEKDAYS_9_TO_6,
    });
    expect(hours.status).toBe(200);
    expect(hours.body.member).toMatchObject({ time_zone: 'Asia/Tokyo', working_hours: WEEKDAYS_9_TO_6 });
    expect(typeof hours.body.member.in_hours).toBe('boolean');
    for (const body of [
      { time_zone: 'Nowhere/City', days: [] },
      { time_zone: 'UTC', days: [{ day: 7, start: '09:00', end: '10:00' }] },
      { time_zone: 'UTC', days: [{ day: 1, start: '9am', end: '10:00' }] },
      { time_zone: 'UTC', days: [{ day: 1, start: '10:00', end: '10:00' }] },
    ]) {
      const refusedHours = await api(BOB, 'PUT', '/api/agent/team/me/hours', body);
      expect(refusedHours.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api(BOB, 'DELETE', '/api/agent/team/me/hours')).body.member.working_hours).toBeNull();
    // Not an agent: refused before anything.
    const outsider = await http.request('GET', '/api/agent/team', {
      headers: tma(signInitData(fake.token, { id: 13999, first_name: 'Mallory' })),
    });
    expect(outsider.status).toBe(403);
  });

  it('the card names the online agents with the ticket’s skill and follows presence changes', async () => {
    // Alice: billing, online. Bob: tech, away. Carol: no skills (a generalist), offline.
    await say(CAROL, '/offline', /You are/);
    const { ticketId } = await newTicket('My invoice is wrong', 'Billing');
    const card = await cardWith(ticketId, (c) => /🟢 Online: @alice$/m.test(c.text ?? ''));
    expect(card.text).not.toContain('@bob');

    // Carol comes online: a generalist takes any category, named by a link (no username), escaped.
    await say(CAROL, '/online', /You are/);
    const withCarol = await cardWith(ticketId, (c) => (c.text ?? '').includes('Carol <C&C>'));
    expect(withCarol.text).toMatch(/🟢 Online: @alice, Carol <C&C>/);

    // Everyone with the skill goes offline: the card says so.
    await say(CAROL, '/offline', /You are/);
    await say(ALICE, '/offline', /You are/);
    await cardWith(ticketId, (c) => (c.text ?? '').includes('💤 Nobody with this skill is online'));
    await say(ALICE, '/online', /You are/);
    await cardWith(ticketId, (c) => /🟢 Online: @alice$/m.test(c.text ?? ''));
  });

  it('the card has an "Open in app" URL button: the Mini App direct link with startapp', async () => {
    const { ticketId, card } = await newTicket('Where is my parcel?');
    const buttons = buttonsOf(card);
    expect(buttons.map((button) => button.text)).toEqual(['✅ Claim', '↩️ Pass', '📱 Open in app']);
    const open = buttons.find((button) => button.text === '📱 Open in app');
    expect(open?.url).toBe(`https://t.me/switchboard_test_bot/desk?startapp=ticket-${ticketId}`);
    expect(open?.url).toMatch(/startapp=[A-Za-z0-9_-]{1,512}$/);
    expect(open?.callback_data).toBeUndefined();
  });

  it('priority: /priority in the group (a reply to the card) and the Mini App; high comes first everywhere', async () => {
    const first = await newTicket('First, normal');
    const second = await newTicket('Second, soon urgent');
    fake.sendText({ from: ALICE.id, chatId: GROUP, text: '/priority high', replyTo: second.card.message_id });
    await fake.waitFor(
      () => fake.messages(GROUP).find((m: Sent) => m.text === `#${second.ticketId} is now 🔴 high priority.`),
      { timeoutMs: 15_000 },
    );
    await cardWith(second.ticketId, (c) => (c.text ?? '').includes('🔴 High priority'));

    const queue = await api(BOB, 'GET', '/api/agent/queue');
    const order = queue.body.unclaimed.map((item: { id: number }) => item.id);
    expect(order.indexOf(second.ticketId)).toBe(0);
    expect(order.indexOf(first.ticketId)).toBeGreaterThan(0);
    expect(queue.body.unclaimed[0].priority).toBe('high');

    const listed = await say(BOB, '/queue', /Waiting for an agent/);
    const text = listed.text ?? '';
    expect(text.indexOf(`#${second.ticketId}`)).toBeLessThan(text.indexOf(`#${first.ticketId}`));
    expect(text).toContain(`🔴 #${second.ticketId}`);

    // The Mini App sets it too; a low ticket goes last.
    const low = await api(BOB, 'PUT', `/api/agent/tickets/${first.ticketId}/priority`, { priority: 'low' });
    expect(low.status).toBe(200);
    expect(low.body.ticket).toMatchObject({ id: first.ticketId, priority: 'low' });
    const after = (await api(BOB, 'GET', '/api/agent/queue')).body.unclaimed.map((i: { id: number }) => i.id);
    expect(after.at(-1)).toBe(first.ticketId);
    const ticket = await api(BOB, 'GET', `/api/agent/tickets/${first.ticketId}`);
    expect(ticket.body.ticket.priority).toBe('low');
    // The visitor never sees it.
    const conversation = await first.visitor.http.get(`/api/session/${first.visitor.sessionId}`, {
      token: first.visitor.token,
    });
    expect(JSON.stringify(conversation.body)).not.toContain('priority');

    expect(
      (await api(BOB, 'PUT', `/api/agent/tickets/${first.ticketId}/priority`, { priority: 'urgent' })).status,
    ).toBe(400);
    expect((await api(BOB, 'PUT', '/api/agent/tickets/99999999/priority', { priority: 'high' })).status).toBe(
      404,
    );
    expect((await api(BOB, 'PUT', '/api/agent/tickets/abc/priority', { priority: 'high' })).status).toBe(404);
    // In the bot's chat: the agent's active ticket (the one they just claimed).
    expect((await api(BOB, 'POST', `/api/agent/tickets/${first.ticketId}/claim`)).status).toBe(200);
    await say(BOB, '/priority high', new RegExp(`#${first.ticketId} is now 🔴 high priority`));
    expect((await api(BOB, 'GET', `/api/agent/tickets/${first.ticketId}`)).body.ticket.priority).toBe('high');
    // A wrong word in Telegram gets a hint, not an error.
    fake.sendText({
      from: ALICE.id,
      chatId: GROUP,
      text: '/priority urgent',
      replyTo: second.card.message_id,
    });
    await fake.waitFor(
      () => fake.messages(GROUP).find((m: Sent) => m.text?.startsWith('Send /priority high')),
      { timeoutMs: 15_000 },
    );
  });
});
