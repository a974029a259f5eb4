import { describe, expect, it } from 'vitest';
import { HISTORY_MAX_PARTS, renderConnected } from '../bot/render/agent-messages.ts';
import { escapeHtml } from '../bot/render/html.ts';
import { htmlTextLength, splitText, TEXT_LIMIT, truncate } from '../bot/render/telegram-text.ts';
import type { Message } from '../db/entities/index.ts';
import { parseHtml } from './fake-telegram/html-parse-mode.ts';

/** No part may end in the first half of a surrogate pair (the next would start with the second). */
const hasBrokenPair = (parts: string[]) =>
  parts.some((part) => /[\uD800-\uDBFF]$/.test(part) || /^[\uDC00-\uDFFF]/.test(part));

describe('Telegram text lengths', () => {
  it('counts rendered HTML as Telegram does: UTF-16 code units after tags and escapes', () => {
    expect(htmlTextLength('<b>#12 · Billing</b> · Visitor')).toBe('#12 · Billing · Visitor'.length);
    expect(htmlTextLength(escapeHtml('a & b <c> "d"'))).toBe(13);
    expect(htmlTextLength('😀')).toBe(2);
    expect(htmlTextLength('&#128512; &#x1F600; &#65;')).toBe(7);
    // The same count as the fake's strict parser, which is what Telegram stores.
    const rendered = `<b>${escapeHtml('Tom & Jerry <3')}</b>\n${escapeHtml('😀 & 👨‍👩‍👧 "x"')}`;
    expect(htmlTextLength(rendered)).toBe(parseHtml(rendered).text.length);
  });

  it('truncate counts UTF-16 code units, ends in an ellipsis and keeps characters whole', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('abcdef', 4)).toBe('abc…');
    const emoji = '😀'.repeat(300);
    const cut = truncate(emoji, 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).toBe(`${'😀'.repeat(99)}…`);
    // A family emoji (one grapheme of 8 code units) is never cut in the middle.
    expect(truncate(`ab👨‍👩‍👧cd`, 8)).toBe('ab…');
  });

  it('splitText: parts within the limit whose concatenation is the original', () => {
    const ascii = 'a'.repeat(4097);
    const asciiParts = splitText(ascii, TEXT_LIMIT);
    expect(asciiParts.map((part) => part.length)).toEqual([4096, 1]);
    expect(asciiParts.join('')).toBe(ascii);

    const emoji = '😀'.repeat(2100);
    const emojiParts = splitText(emoji, 4000);
    expect(emojiParts.join('')).toBe(emoji);
    expect(emojiParts.every((part) => part.length <= 4000)).toBe(true);
    expect(hasBrokenPair(emojiParts)).toBe(false);
    // An odd limit would land inside a pair: the cut moves back one code unit.
    const odd = splitText(emoji, 4001);
    expect(odd[0]?.length).toBe(4000);
    expect(hasBrokenPair(odd)).toBe(false);
  });

  it('splitText prefers a line break, then a space, and never cuts an escape in two', () => {
    const lines = `${'x'.repeat(60)}\n${'y'.repeat(30)} ${'z'.repeat(30)}`;
    expect(splitText(lines, 80)).toEqual([`${'x'.repeat(60)}\n`, `${'y'.repeat(30)} ${'z'.repeat(30)}`]);
    const words = 'lorem ipsum '.repeat(20).trim();
    const parts = splitText(words, 50);
    expect(parts.join('')).toBe(words);
    expect(parts.every((part) => part.length <= 50)).toBe(true);
    // Every part but the last ends at a word's end: no word is cut.
    expect(parts.slice(0, -1).every((part) => part.endsWith(' '))).toBe(true);
    // Splitting the plain text and escaping each part: every part parses, and the escapes survive.
    const ampersands = '&'.repeat(100);
    const escaped = splitText(ampersands, 30).map(escapeHtml);
    expect(escaped.map((part) => parseHtml(part).text).join('')).toBe(ampersands);
  });

  it('splitText keeps a grapheme whole where it can, and needs room for a character', () => {
    const families = '👨‍👩‍👧'.repeat(10); // 8 code units each
    const parts = splitText(families, 20);
    expect(parts.join('')).toBe(families);
    expect(parts.every((part) => part.length === 16)).toBe(true);
    expect(splitText('', 10)).toEqual(['']);
    expect(() => splitText('abc', 1)).toThrow(RangeError);
  });
});

describe('the "connected" history', () => {
  const ticket = { id: 12, category: 'Billing' };
  const message = (id: number, body: string) =>
    ({ id, sender: 'visitor', body, mediaUrl: null, agent: null }) as unknown as Message;

  it('has every message whole while it fits in HISTORY_MAX_PARTS messages of at most 4,096', () => {
    const history = [message(1, 'hello'), message(2, 'word '.repeat(1500).trim()), message(3, 'bye')];
    const parts = renderConnected(ticket, history);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(HISTORY_MAX_PARTS);
    for (const part of parts) expect(parseHtml(part).text.length).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(parts[0]).toMatch(/^🔗 You're connected to <b>#12 · Billing<\/b>/);
    expect(parts[1]).toMatch(/^<b>#12 · Billing<\/b> · history \(2\/\d\)/);
    const words = parts.join('\n').match(/\bword\b/g) ?? [];
    expect(words).toHaveLength(1500);
  });

  it('leaves out the oldest messages whole beyond HISTORY_MAX_PARTS, and says how many', () => {
    const history = Array.from({ length: 10 }, (_, index) =>
      message(index + 1, `${index + 1}: ${'x'.repeat(3000)}`),
    );
    const parts = renderConnected(ticket, history);
    expect(parts).toHaveLength(HISTORY_MAX_PARTS);
    const text = parts.join('\n');
    const shown = [...text.matchAll(/Visitor:<\/b> (\d+): /g)].map((match) => Number(match[1]));
    // The newest ones, in order, each whole (3,000 x's); the notice counts the others.
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, index) => 11 - shown.length + index));
    expect(text).toContain(`… ${10 - shown.length} earlier messages: open the ticket in the queue app`);
    expect(text.match(/x{3000}/g)).toHaveLength(shown.length);
  });
});
