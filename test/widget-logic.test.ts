import { describe, expect, it } from 'vitest';
import type { MessageView } from '../contract/api.ts';
import { createTokenBucketLimiter } from '../server/middleware/rate-limit.ts';
import {
  emptyConversation,
  withMessages,
  withoutMessage,
  withResponse,
} from '../widget/app/conversation-state.ts';
import { replyTime } from '../widget/app/reply-time.ts';
import { systemWording } from '../widget/app/system-wording.ts';
import { buildTimeline, formatDay } from '../widget/app/timeline.ts';
import { initialsOf } from '../widget/app/ui/avatar.tsx';
import { chatStrings } from '../widget/i18n/strings.ts';
import { safeTheme } from '../widget/loader/protocol.ts';
import {
  BLACK,
  contrastRatio,
  INK,
  parseColor,
  readableOn,
  textOn,
  toHex,
  WHITE,
} from '../widget/theme/contrast.ts';

/** The widget's pure logic: grouping, day labels, reply-time wording, contrast; and the message rate limit. */
describe('widget logic', () => {
  let nextId = 1;
  const message = (
    sender: MessageView['sender'],
    created: Date,
    extra: Partial<MessageView> = {},
  ): MessageView => ({
    id: nextId++,
    ticket_id: 1,
    sender,
    body: 'x',
    media_url: null,
    agent_name: sender === 'agent' ? 'Alice' : null,
    created_at: created.toISOString(),
    ...extra,
  });
  const local = (y: number, mo: number, d: number, h: number, mi: number, s = 0) =>
    new Date(y, mo, d, h, mi, s);

  it('groups messages into runs: one author label at the start, one time at the end, per sender and minute', () => {
    const messages = [
      message('visitor', local(2025, 2, 3, 10, 0, 5)),
      message('visitor', local(2025, 2, 3, 10, 0, 20)),
      message('visitor', local(2025, 2, 3, 10, 0, 50)),
      message('visitor', local(2025, 2, 3, 10, 1, 2)), // next minute: a new run
      message('system', local(2025, 2, 3, 10, 1, 3)),
      message('agent', local(2025, 2, 3, 10, 1, 10)),
      message('agent', local(2025, 2, 3, 10, 1, 30)),
      message('agent', local(2025, 2, 3, 10, 1, 40), { agent_name: 'Bob' }), // another agent
      message('visitor', local(2025, 2, 3, 10, 1, 45), { ticket_id: 2 }), // another ticket
    ];
    const timeline = buildTimeline(messages, () => 'DAY');
    expect(timeline.map((e) => [e.startsRun, e.endsRun])).toEqual([
      [true, false],
      [false, false],
      [false, true],
      [true, true],
      [true, true],
      [true, false],
      [false, true],
      [true, true],
      [true, true],
    ]);
    expect(timeline.map((e) => e.day)).toEqual(['DAY', ...Array(8).fill(undefined)]);
    expect(timeline.map((e) => e.startsTicket)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it('opens each new day with a separator: Today, Yesterday, then dates (with the year only when another)', () => {
    const now = local(2025, 2, 3, 12, 0);
    const words = chatStrings.en;
    const messages = [
      message('visitor', local(2024, 11, 31, 23, 59)),
      message('visitor', local(2025, 2, 1, 9, 0)),
      message('visitor', local(2025, 2, 2, 23, 59)),
      message('visitor', local(2025, 2, 3, 0, 1)),
      message('agent', local(2025, 2, 3, 0, 1)),
    ];
    const timeline = buildTimeline(messages, (date) => formatDay(date, now, 'en', words));
    expect(timeline.map((e) => e.day)).toEqual([
      'December 31, 2024',
      'March 1',
      'Yesterday',
      'Today',
      undefined,
    ]);
    // A run never crosses midnight.
    expect(timeline[2]?.endsRun).toBe(true);
    expect(formatDay(local(2025, 2, 1, 9, 0), now, 'ru', chatStrings.ru)).toBe('1 марта');
    expect(formatDay(local(2025, 2, 2, 9, 0), now, 'ru', chatStrings.ru)).toBe('Вчера');
  });

  it('words the usual reply time as people say it, from real seconds or none', () => {
    expect(replyTime(null)).toEqual({ kind: 'unknown' });
    expect(replyTime(45)).toEqual({ kind: 'minute' });
    expect(replyTime(3 * 60)).toEqual({ kind: 'fewMinutes' });
    expect(replyTime(22 * 60)).toEqual({ kind: 'minutes', minutes: 20 });
    expect(replyTime(54 * 60)).toEqual({ kind: 'minutes', minutes: 55 });
    expect(replyTime(58 * 60)).toEqual({ kind: 'hour' });
    expect(replyTime(5 * 3600)).toEqual({ kind: 'hours' });
    expect(replyTime(30 * 3600)).toEqual({ kind: 'day' });
    // Every "minutes" figure is a multiple of 5 from 10 to 55 (the Russian plural «минут» fits each).
    for (let seconds = 600; seconds < 57.5 * 60; seconds += 17) {
      const time = replyTime(seconds);
      expect(time.kind).toBe('minutes');
      if (time.kind === 'minutes')
        expect(time.minutes % 5 === 0 && time.minutes >= 10 && time.minutes <= 55).toBe(true);
    }
  });

  it('puts system messages in the visitor words and language from their codes; unknown ones stay as written', () => {
    // Every code in both languages: test/system-wording.test.ts.
    const closedByVisitor = {
      body: 'Conversation closed by the visitor',
      event: { code: 'closed_by_visitor', params: {} },
    };
    expect(systemWording(closedByVisitor, 'en')).toBe('You ended the conversation');
    expect(systemWording(closedByVisitor, 'ru')).toBe('Вы завершили разговор');
    expect(systemWording({ body: 'Something new', event: null }, 'ru')).toBe('Something new');
    expect(initialsOf('Alice Smith Jones')).toBe('AS');
    expect(initialsOf('алиса')).toBe('А');
  });

  it('computes WCAG contrast and picks readable colours for any accent', () => {
    expect(parseColor('#fff')).toEqual([255, 255, 255]);
    expect(parseColor('#2563ebcc')).toEqual([37, 99, 235]);
    expect(parseColor('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(parseColor('rgba(1 2 3 / 50%)')).toEqual([1, 2, 3]);
    expect(parseColor('red')).toBeNull();
    expect(contrastRatio(BLACK, WHITE)).toBeCloseTo(21, 5);
    expect(contrastRatio(WHITE, WHITE)).toBe(1);
    expect(contrastRatio([37, 99, 235], WHITE)).toBeCloseTo(5.17, 1);

    // Text on the accent: white on blue, ink on yellow and on light green.
    expect(textOn([37, 99, 235])).toEqual(WHITE);
    expect(textOn([250, 204, 21])).toEqual(INK);
    expect(textOn([134, 239, 172])).toEqual(INK);
    for (const accent of [
      '#2563eb',
      '#facc15',
      '#0f766e',
      '#86efac',
      '#ff00ff',
      '#777777',
      '#1e3a8a',
      '#000000',
    ]) {
      const rgb = parseColor(accent);
      if (!rgb) throw new Error(accent);
      expect(contrastRatio(rgb, textOn(rgb)), accent).toBeGreaterThanOrEqual(4.4);
      // The accent as text on either theme's background reaches 4.5:1, changed only when it must.
      for (const background of [WHITE, INK]) {
        const ink = readableOn(rgb, background);
        expect(contrastRatio(ink, background), `${accent} on ${toHex(background)}`).toBeGreaterThanOrEqual(
          4.5,
        );
        if (contrastRatio(rgb, background) >= 4.5) expect(ink).toEqual(rgb);
      }
    }
    expect(safeTheme(undefined)).toBe('light');
    expect(safeTheme('dark')).toBe('dark');
    expect(safeTheme('auto')).toBe('auto');
    expect(safeTheme('neon')).toBe('light');
  });
});

describe('applying an answer of GET /api/session/:id (whole, or what changed since)', () => {
  const message = (id: number, body: string, extra: Partial<MessageView> = {}): MessageView => ({
    id,
    ticket_id: 1,
    sender: 'agent',
    body,
    media_url: null,
    agent_name: 'Alice',
    created_at: '2026-12-01T10:00:00.000Z',
    edited_at: null,
    reactions: [],
    event: null,
    ...extra,
  });
  const answer = (messages: MessageView[], deleted: number[], revision: number) => ({
    session_id: '00000000-0000-4000-8000-000000000001',
    contact: null,
    ticket: null,
    tickets: [],
    messages,
    deleted_message_ids: deleted,
    revision,
  });

  it('adds new messages in order, replaces changed ones, removes deleted ones, keeps the cursor', () => {
    const loaded = withResponse(emptyConversation, answer([message(1, 'one'), message(2, 'two')], [], 10));
    expect(loaded.revision).toBe(10);
    const changes = answer(
      [
        message(4, 'four'),
        message(1, 'one, edited', { edited_at: '2026-12-01T10:05:00.000Z' }),
        message(3, 'three', { reactions: [{ emoji: '👍', from: 'visitor' }] }),
      ],
      [2, 99],
      17,
    );
    const changed = withResponse(loaded, changes);
    expect(changed.messages.map((m) => [m.id, m.body])).toEqual([
      [1, 'one, edited'],
      [3, 'three'],
      [4, 'four'],
    ]);
    expect(changed.messages[0]?.edited_at).toBe('2026-12-01T10:05:00.000Z');
    expect(changed.revision).toBe(17);
    // The same answer again (a cursor may repeat changes): nothing moves.
    expect(withResponse(changed, changes)).toEqual(changed);
  });

  it('never shows a deleted message again: not from a late event, nor from a poll started before', () => {
    const loaded = withResponse(emptyConversation, answer([message(1, 'one'), message(2, 'two')], [], 10));
    const late = message(2, 'two');
    // Deleted by its event, then a copy published earlier elsewhere (a retry's, another instance's) comes.
    const deleted = withoutMessage(loaded, 2);
    expect(withMessages(deleted, [late]).messages.map((m) => m.id)).toEqual([1]);
    expect(withResponse(deleted, answer([late], [], 11)).messages.map((m) => m.id)).toEqual([1]);
    // Deleted as a poll's answer says, then the late copy.
    const polled = withResponse(loaded, answer([], [2], 12));
    expect(withMessages(polled, [late]).messages.map((m) => m.id)).toEqual([1]);
  });
});

describe('the visitor message rate limit (token bucket)', () => {
  const clock = (start = 1_000_000) => {
    let time = start;
    return { now: () => time, advance: (ms: number) => (time += ms) };
  };

  it('lets a burst of short lines through and stops a flood, with the seconds until the next token', () => {
    const time = clock();
    const limiter = createTokenBucketLimiter({ capacity: 10, refillPerSecond: 0.5, now: time.now });
    // 8 lines within one second: all pass.
    for (let i = 0; i < 8; i++) {
      expect(limiter.hit('session:a')).toBe(0);
      time.advance(120);
    }
    // A flood of 50 more, as fast as a script sends them: 2 pass (with what refilled), the rest wait.
    const answers = Array.from({ length: 50 }, () => limiter.hit('session:a'));
    expect(answers.filter((a) => a === 0)).toHaveLength(2);
    // ~0.48 tokens left after 960 ms of refill: the next one is whole in ~1.04 s → Retry-After 2.
    expect(new Set(answers.slice(2))).toEqual(new Set([2]));
    // Another session has its own bucket.
    expect(limiter.hit('session:b')).toBe(0);
  });

  it('refills over time: one message every 2 s goes on for ever; the full burst is back after 20 s', () => {
    const time = clock();
    const limiter = createTokenBucketLimiter({ capacity: 10, refillPerSecond: 0.5, now: time.now });
    for (let i = 0; i < 10; i++) expect(limiter.hit('k')).toBe(0);
    expect(limiter.hit('k')).toBe(2);
    time.advance(1000);
    expect(limiter.hit('k')).toBe(1); // half a token: one more second
    time.advance(1000);
    expect(limiter.hit('k')).toBe(0);
    for (let i = 0; i < 30; i++) {
      time.advance(2000);
      expect(limiter.hit('k')).toBe(0);
    }
    expect(limiter.hit('k')).toBe(2);
    time.advance(20_000);
    for (let i = 0; i < 10; i++) expect(limiter.hit('k')).toBe(0);
    expect(limiter.hit('k')).toBeGreaterThan(0);
  });

  it('forgets buckets that are full again, so memory follows active keys only', () => {
    const time = clock();
    const limiter = createTokenBucketLimiter({ capacity: 2, refillPerSecond: 1, now: time.now });
    for (let i = 0; i < 999; i++) limiter.hit(`k${i}`);
    time.advance(5000);
    limiter.hit('trigger-sweep');
    // Behaviour is the same for a forgotten key: a full bucket.
    expect(limiter.hit('k1')).toBe(0);
    expect(limiter.hit('k1')).toBe(0);
    expect(limiter.hit('k1')).toBe(1);
  });
});
