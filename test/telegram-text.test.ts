import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../bot/render/html.ts';
import { htmlTextLength, splitText, TEXT_LIMIT, truncate } from '../bot/render/telegram-text.ts';
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
