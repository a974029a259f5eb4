import { describe, expect, it } from 'vitest';
import { createTelegramPacing, type PacingClock, TELEGRAM_MESSAGE_LIMITS } from '../bot/telegram-pacing.ts';

/** A clock the test moves by hand: timers run when `advance` passes their time. */
function manualClock() {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const clock: PacingClock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, run });
      return id as never;
    },
    clearTimeout: (id) => {
      timers.delete(id as unknown as number);
    },
  };
  return {
    clock,
    now: () => now,
    /** Moves the clock to `now + ms`, running every timer due on the way (and what they set off). */
    async advance(ms: number) {
      const until = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= until)
          .sort(([, a], [, b]) => a.at - b.at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].run();
        await settle();
      }
      now = until;
      await settle();
    },
  };
}

type Sent = { method: string; chatId: unknown; text: unknown; at: number; answeredAt?: number };

/**
 * A Bot API behind the pacing: records when each call reached it and answers after `latencyMs` on the
 * test's clock (or with `answer(call)` when that returns one).
 */
function pacedApi(options: {
  latencyMs?: number;
  answer?: (
    call: Sent,
  ) => { ok: false; error_code: number; description: string; parameters?: object } | undefined;
}) {
  const time = manualClock();
  const sent: Sent[] = [];
  const latency = options.latencyMs ?? 0;
  const prev = (method: string, payload: unknown) => {
    const { chat_id: chatId, text } = payload as { chat_id?: unknown; text?: unknown };
    const call: Sent = { method, chatId, text, at: time.now() };
    sent.push(call);
    return new Promise((resolve) => {
      const reply = () => {
        call.answeredAt = time.now();
        resolve(options.answer?.(call) ?? { ok: true, result: { message_id: sent.length } });
      };
      if (latency === 0) reply();
      else time.clock.setTimeout(reply, latency);
    });
  };
  const pacing = createTelegramPacing(TELEGRAM_MESSAGE_LIMITS, time.clock);
  const call = (method: string, payload: object) =>
    (pacing as (...args: unknown[]) => Promise<{ ok: boolean }>)(prev, method, payload, undefined);
  const send = (chatId: number | string, text: string) => call('sendMessage', { chat_id: chatId, text });
  return { time, sent, call, send, to: (chatId: unknown) => sent.filter((s) => s.chatId === chatId) };
}

const ANN = 1001;
const BOB = 1002;
const GROUP = -100123;

/** Each call reached the API at least `ms` after the one before it was answered. */
function spacedFromAnswers(calls: Sent[], ms: number) {
  return calls.slice(1).map((call, index) => call.at - ((calls[index] as Sent).answeredAt as number) >= ms);
}

describe('Telegram pacing', () => {
  it('sends a chat’s messages in order, each a second after the previous one was answered', async () => {
    const api = pacedApi({ latencyMs: 150 });
    const answers = ['1', '2', '3', '4'].map((text) => api.send(ANN, text));
    await api.time.advance(10_000);
    await Promise.all(answers);
    const toAnn = api.to(ANN);
    expect(toAnn.map((call) => call.text)).toEqual(['1', '2', '3', '4']);
    expect(spacedFromAnswers(toAnn, 1000)).toEqual([true, true, true]);
    // …and not much later: within a few milliseconds of the earliest moment allowed.
    const slack = toAnn
      .slice(1)
      .map((call, index) => call.at - ((toAnn[index] as Sent).answeredAt as number));
    expect(Math.max(...slack)).toBeLessThan(1030);
  });

  it('a chat waiting for its second never holds up other chats', async () => {
    const api = pacedApi({ latencyMs: 50 });
    const answers = [api.send(ANN, 'a1'), api.send(ANN, 'a2'), api.send(ANN, 'a3'), api.send(BOB, 'b1')];
    await api.time.advance(0);
    expect(api.sent.map((call) => call.text)).toEqual(['a1', 'b1']);
    await api.time.advance(5_000);
    await Promise.all(answers);
    expect(api.to(BOB)[0]?.at).toBe(0);
  });

  it('a group takes one message a second and at most 20 in any minute', async () => {
    const api = pacedApi({ latencyMs: 20 });
    const answers = Array.from({ length: 25 }, (_, index) => api.send(GROUP, `card ${index + 1}`));
    await api.time.advance(200_000);
    await Promise.all(answers);
    const toGroup = api.to(GROUP);
    expect(toGroup.map((call) => call.text)).toEqual(answers.map((_, index) => `card ${index + 1}`));
    expect(spacedFromAnswers(toGroup, 1000).every(Boolean)).toBe(true);
    // In any 60 s (measured from answers, on the safe side): never a 21st.
    toGroup.slice(20).forEach((call, index) => {
      expect(call.at - ((toGroup[index] as Sent).answeredAt as number)).toBeGreaterThanOrEqual(60_000);
    });
    // The 21st goes as soon as the first has left the minute, not a whole window later.
    expect((toGroup[20] as Sent).at).toBeLessThan(60_100);
  });

  it('sends at most 30 messages in any second overall', async () => {
    const api = pacedApi({ latencyMs: 30 });
    const chats = Array.from({ length: 45 }, (_, index) => 5000 + index);
    const answers = chats.map((chatId) => api.send(chatId, 'hello'));
    await api.time.advance(0);
    expect(api.sent).toHaveLength(30);
    await api.time.advance(5_000);
    await Promise.all(answers);
    expect(api.sent).toHaveLength(45);
    const answered = api.sent.slice(0, 30).map((call) => call.answeredAt as number);
    for (const call of api.sent.slice(30))
      expect(call.at).toBeGreaterThanOrEqual(Math.min(...answered) + 1000);
  });

  it('a 429 holds its chat for retry_after; other chats go on', async () => {
    let refused = false;
    const api = pacedApi({
      latencyMs: 10,
      answer: (call) => {
        if (call.chatId !== ANN || refused) return undefined;
        refused = true;
        return {
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 7',
          parameters: { retry_after: 7 },
        };
      },
    });
    const first = api.send(ANN, 'refused');
    await api.time.advance(100);
    expect(await first).toMatchObject({ ok: false, error_code: 429 });
    const again = api.send(ANN, 'after the hold');
    const other = api.send(BOB, 'meanwhile');
    await api.time.advance(5_000);
    expect(api.to(BOB)).toHaveLength(1);
    expect(api.to(ANN)).toHaveLength(1);
    await api.time.advance(5_000);
    await Promise.all([again, other]);
    const [refusedCall, retried] = api.to(ANN) as [Sent, Sent];
    expect(retried.at - (refusedCall.answeredAt as number)).toBeGreaterThanOrEqual(7000);
  });

  it('calls that are not messages pass straight through', async () => {
    const api = pacedApi({ latencyMs: 0 });
    await api.send(ANN, 'first');
    const read = api.call('getChatMember', { chat_id: ANN, user_id: ANN });
    const typing = api.call('sendChatAction', { chat_id: ANN, action: 'typing' });
    await api.time.advance(0);
    expect(api.sent.map((call) => call.method)).toEqual(['sendMessage', 'getChatMember', 'sendChatAction']);
    await Promise.all([read, typing]);
  });

  it('a call that fails without an answer still counts, and the line goes on', async () => {
    let failed = false;
    const time = manualClock();
    const sent: { text: unknown; at: number }[] = [];
    const pacing = createTelegramPacing(TELEGRAM_MESSAGE_LIMITS, time.clock) as (
      ...args: unknown[]
    ) => Promise<unknown>;
    const prev = (_method: string, payload: { text: string }) => {
      sent.push({ text: payload.text, at: time.now() });
      if (!failed) {
        failed = true;
        return Promise.reject(new Error('socket hang up'));
      }
      return Promise.resolve({ ok: true, result: true });
    };
    const lost = pacing(prev, 'sendMessage', { chat_id: ANN, text: 'lost' }, undefined);
    const next = pacing(prev, 'sendMessage', { chat_id: ANN, text: 'next' }, undefined);
    await expect(lost).rejects.toThrow('socket hang up');
    await time.advance(2_000);
    await next;
    expect(sent.map((call) => call.text)).toEqual(['lost', 'next']);
    expect((sent[1] as { at: number }).at).toBeGreaterThanOrEqual(1000);
  });
});
