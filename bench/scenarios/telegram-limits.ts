import { performance } from 'node:perf_hooks';
import { mapLimit, newSession, postJson } from '../lib/http.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { type BenchDatabase, startServer } from '../lib/server.ts';
import { ms, round, sleep } from '../lib/stats.ts';
import { GROUP, startTelegram } from '../lib/telegram.ts';

export type LimitsOptions = { tickets: number; agentMessages: number; agents: number };

const SENDING = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'editMessageText',
  'editMessageReplyMarkup',
]);

/** Telegram's limits as the fake enforces them (test/fake-telegram/rate-limiter.ts, TELEGRAM_LIMITS). */
const LIMITS = { perSecondOverall: 30, perChatPerSecond: 1, perGroupPerMinute: 20 };

/**
 * The shortest time in which the limits let these messages out, sent from t = 0 into chats with nothing
 * recent: in the group one a second and 20 in any minute (message k at ⌊k/20⌋·60 + k mod 20 s), each
 * agent's chat one a second, everything 30 a second. The largest of the three bounds is a lower bound
 * for any sender, and the true minimum while no more than 30 chats are busy (then the overall limit
 * never binds: each chat takes at most one a second).
 */
export function minimumSeconds(groupMessages: number, perChat: number[]): number {
  const last = groupMessages - 1;
  const group =
    groupMessages > 0
      ? Math.floor(last / LIMITS.perGroupPerMinute) * 60 +
        (last % LIMITS.perGroupPerMinute) / LIMITS.perChatPerSecond
      : 0;
  const chat = Math.max(0, ...perChat.map((count) => (count - 1) / LIMITS.perChatPerSecond));
  const total = groupMessages + perChat.reduce((sum, count) => sum + count, 0);
  const overall = total > 0 ? Math.floor((total - 1) / LIMITS.perSecondOverall) : 0;
  return Math.max(group, chat, overall);
}

/**
 * A burst against the fake enforcing Telegram's limits (429 with retry_after): `tickets` new tickets
 * (one card each in the support group) and `agentMessages` visitor messages on tickets already claimed
 * by `agents` agents (one DM each), all sent at once. Reports 429s received and the time until Telegram
 * had everything, against the minimum the limits allow. The product runs as shipped (throttler on).
 */
export async function telegramLimits(
  database: BenchDatabase,
  options: LimitsOptions,
): Promise<ScenarioResult> {
  const telegram = await startTelegram(options.agents);
  const { fake } = telegram;
  const server = await startServer({
    ...database.env,
    ...telegram.env,
    RATE_LIMIT_MESSAGES: '1000000',
    RATE_LIMIT_SESSIONS: '1000000',
  });
  try {
    await telegram.connect(server.url);
    const claimed = await mapLimit(telegram.agents, 5, (agent) => telegram.claimedTicket(server.url, agent));
    const visitors = await mapLimit(
      Array.from({ length: options.tickets }, (_, i) => i),
      10,
      () => newSession(server.url),
    );
    // The set-up sent cards to the group and "connected" messages to the agents. The minimum assumes
    // chats with nothing recent: wait until each chat's last set-up message is a second old, and if the
    // set-up's and the burst's cards would not fit into one minute's 20 group messages, until the
    // set-up's have left the group's minute.
    const setupSends = fake.calls.filter(
      (call: { method: string; status: number }) => call.status === 200 && SENDING.has(call.method),
    ) as { at: number; params: { chat_id?: unknown } }[];
    const lastSend = Math.max(0, ...setupSends.map((call) => call.at));
    const setupGroupSends = setupSends.filter((call) => Number(call.params.chat_id) === GROUP);
    const lastGroupSend = Math.max(0, ...setupGroupSends.map((call) => call.at));
    const groupFull = setupGroupSends.length + options.tickets > LIMITS.perGroupPerMinute;
    await sleep(
      Math.max(0, lastSend + 1_500 - Date.now(), groupFull ? lastGroupSend + 61_000 - Date.now() : 0),
    );
    fake.enforceLimits(true);
    const rejectedBefore = fake.rateLimitedCount();
    const callsBefore = fake.calls.length;

    const perAgent = telegram.agents.map(
      (_, index) =>
        Math.floor(options.agentMessages / options.agents) +
        (index < options.agentMessages % options.agents ? 1 : 0),
    );
    const expected = claimed.map((_, index) =>
      Array.from({ length: perAgent[index] as number }, (_, n) => `burst ${index}-${n + 1}`),
    );
    const ticketIds: number[] = [];
    const started = performance.now();
    const startedAt = Date.now();
    await Promise.all([
      mapLimit(visitors, 20, async (visitor) => {
        const sent = await postJson<{ ticket: { id: number } }>(
          `${server.url}/api/session/${visitor.sessionId}/messages`,
          { body: 'A new question in the burst' },
          visitor.token,
        );
        ticketIds.push(sent.ticket.id);
      }),
      ...claimed.map(async (ticket, index) => {
        for (const body of expected[index] as string[]) {
          await postJson(`${server.url}/api/session/${ticket.sessionId}/messages`, { body }, ticket.token);
        }
      }),
    ]);
    const acceptedMs = performance.now() - started;

    // Done when every card is in the group and every message in its agent's DM.
    const cardsPosted = () => {
      const seen = new Set<number>();
      for (const message of fake.sentTo(GROUP) as { text?: string }[]) {
        const id = /#(\d+)/.exec(message.text?.split('\n')[0] ?? '')?.[1];
        if (id) seen.add(Number(id));
      }
      return ticketIds.filter((id) => seen.has(id)).length;
    };
    const relayed = (index: number) =>
      (fake.sentTo(telegram.agents[index]?.id as number) as { text?: string }[])
        .map((message) => message.text?.split('\n').at(-1) ?? '')
        .filter((body) => body.startsWith(`burst ${index}-`));
    const deadline = started + (minimumSeconds(options.tickets, perAgent) + 600) * 1000;
    let dmsDoneMs = Number.NaN;
    for (;;) {
      const dmsDone = expected.every((bodies, index) => relayed(index).length >= bodies.length);
      if (dmsDone && Number.isNaN(dmsDoneMs)) dmsDoneMs = performance.now() - started;
      if (dmsDone && cardsPosted() === options.tickets) break;
      if (performance.now() > deadline) throw new Error('the burst did not complete within minimum + 10 min');
      await sleep(100);
    }
    const completedMs = performance.now() - started;
    const inOrderOnce = expected.every(
      (bodies, index) => JSON.stringify(relayed(index)) === JSON.stringify(bodies),
    );
    const rejected = fake.rateLimitedCount() - rejectedBefore;
    const burst = fake.calls.slice(callsBefore) as {
      method: string;
      status: number;
      at: number;
      params: { chat_id?: unknown };
    }[];
    const rejectedIn = (group: boolean) =>
      burst.filter((call) => call.status === 429 && (Number(call.params.chat_id) === GROUP) === group).length;
    // How close together the bot's accepted sends to one chat came (the fake allows 1 per 1000 ms).
    /** The messages Telegram took in one chat during the burst (what its limits count). */
    const sentTo = (chatId: number) =>
      burst.filter(
        (call) => call.status === 200 && SENDING.has(call.method) && Number(call.params.chat_id) === chatId,
      );
    const sendTimes = (chatId: number) => sentTo(chatId).map((call) => call.at);
    const gapsOf = (times: number[]) => times.slice(1).map((time, index) => time - (times[index] as number));
    const closestGapMs = (chatId: number) => Math.min(...gapsOf(sendTimes(chatId)));
    // Where the time went, per chat: its first send after the burst started, and the gaps between sends.
    const sendsTo = (chatId: number) => {
      const times = sendTimes(chatId);
      const gaps = gapsOf(times);
      const methods: Record<string, number> = {};
      for (const call of sentTo(chatId)) methods[call.method] = (methods[call.method] ?? 0) + 1;
      return {
        chatId,
        sends: times.length,
        methods,
        firstMs: (times[0] ?? Number.NaN) - startedAt,
        meanGapMs: round(gaps.reduce((sum, gap) => sum + gap, 0) / Math.max(1, gaps.length), 1),
        maxGapMs: Math.max(0, ...gaps),
      };
    };
    const burstCalls = fake.calls.length - callsBefore;
    const minimum = minimumSeconds(options.tickets, perAgent);
    const scenario = `Telegram limits (${options.tickets} tickets + ${options.agentMessages} DMs to ${options.agents} agents)`;
    return {
      scenario: 'telegram-limits',
      database: database.kind,
      rows: [
        {
          scenario,
          metric: 'all delivered after',
          value: ms(completedMs),
          baseline: `${ms(minimum * 1000)} (minimum the limits allow)`,
          comparison: minimum > 0 ? `${round(completedMs / 1000 / minimum, 2)}× the minimum` : '',
        },
        {
          scenario,
          metric: 'all DMs delivered after',
          value: ms(dmsDoneMs),
          baseline: `${ms(minimumSeconds(0, perAgent) * 1000)} (minimum for the DMs alone)`,
          comparison: `${round(dmsDoneMs / 1000 / Math.max(1, minimumSeconds(0, perAgent)), 2)}× the minimum`,
        },
        {
          scenario,
          metric: '429s received',
          value: `${rejected} (${rejectedIn(true)} group, ${rejectedIn(false)} DM)`,
          baseline: `of ${burstCalls} calls`,
          comparison: inOrderOnce ? 'every DM once, in order' : 'ORDER OR DUPLICATES WRONG',
        },
      ],
      data: {
        options,
        perAgent,
        acceptedMs,
        completedMs,
        dmsDoneMs,
        minimumSeconds: minimum,
        rateLimited: rejected,
        rateLimitedGroup: rejectedIn(true),
        rateLimitedPrivate: rejectedIn(false),
        closestGapToOneAgentMs: Math.min(...telegram.agents.map((agent) => closestGapMs(agent.id))),
        sendsPerChat: [GROUP, ...telegram.agents.map((agent) => agent.id)].map(sendsTo),
        calls: burstCalls,
        inOrderOnce,
      },
    };
  } finally {
    fake.enforceLimits(false);
    await server.stop();
    await fake.close();
  }
}
