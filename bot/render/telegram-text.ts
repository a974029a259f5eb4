/**
 * Lengths as Telegram counts them. The Bot API limits a message's text to 1–4096 and a caption to
 * 0–1024 "characters after entities parsing", and counts in UTF-16 code units (as entity offsets are):
 * `&amp;` counts 1, `<b>` counts 0, 😀 counts 2. A JavaScript string's `length` is exactly that for plain
 * text, so the rule here is: measure and cut the plain text, escape it afterwards.
 */

/** Telegram's limit for a message's text, in UTF-16 code units after entity parsing. */
export const TEXT_LIMIT = 4096;
/** Telegram's limit for a photo's or document's caption, counted the same way. */
export const CAPTION_LIMIT = 1024;

/** Text rendered for parse mode HTML as Telegram will count it: tags removed, escapes decoded. */
export function htmlTextLength(html: string): number {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:lt|gt|amp|quot|#(\d+)|#x([0-9a-f]+));/gi, (_, decimal, hex) => {
      // Each escape is one character: one code unit, or two beyond the Basic Multilingual Plane.
      const codePoint = decimal ? Number(decimal) : hex ? Number.parseInt(hex, 16) : 0;
      return codePoint > 0xffff ? '··' : '·';
    }).length;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The largest cut point ≤ `limit` that keeps characters whole: between two graphemes (so 👨‍👩‍👧 or é
 * with a combining accent stay together), else at least between two code points (never inside a
 * surrogate pair). 0 only when `limit` is 0.
 */
function safeCut(text: string, limit: number): number {
  if (limit >= text.length) return text.length;
  let cut = 0;
  for (const { index } of graphemes.segment(text)) {
    if (index > limit) break;
    cut = index;
  }
  if (cut > 0) return cut;
  // One grapheme longer than the limit (a pathological run of combining marks): code points will do.
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

/** The text cut to at most `max` UTF-16 code units, ending in "…" when cut; characters stay whole. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCut(text, max - 1))}…`;
}

/**
 * Plain text split into parts of at most `max` UTF-16 code units whose concatenation is exactly `text`.
 * A part ends after the last newline that leaves it at least half full, else after the last space or
 * tab, else at a character boundary. The separator stays at the end of its part (Telegram trims it
 * there, so nothing shows twice). Escape each part afterwards, never before: an escape like `&amp;` must
 * not be cut in two.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new RangeError('splitText needs room for at least one character');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const limit = safeCut(rest, max);
    const window = rest.slice(0, limit);
    const newline = window.lastIndexOf('\n') + 1;
    const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t')) + 1;
    const cut = newline >= limit / 2 ? newline : space >= limit / 2 ? space : limit;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest || parts.length === 0) parts.push(rest);
  return parts;
}
