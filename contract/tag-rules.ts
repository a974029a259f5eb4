/**
 * The rules of tags (issue 13 §5), without zod: the Mini App checks with them before it sends, and stays
 * small. A tag is normalised before it is checked: a leading `#` dropped, lower case; then it must be
 * 1–32 characters of letters, digits, `-` and `_`, starting with a letter or digit.
 */

export const TAG_MAX_LENGTH = 32;
export const MAX_TAGS_PER_TICKET = 10;
export const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_-]*$/u;
export const TAG_RULE = `letters, digits, - and _ (starting with a letter or digit), at most ${TAG_MAX_LENGTH} characters`;

/** `#VIP` → `vip`. Not yet checked: see `tagProblem`. */
export const normaliseTag = (raw: string) => raw.trim().replace(/^#/, '').toLowerCase();

/** Why a normalised tag is refused, or null when it is fine. */
export function tagProblem(tag: string): string | null {
  if (!tag) return 'must not be empty';
  if (tag.length > TAG_MAX_LENGTH) return `must be at most ${TAG_MAX_LENGTH} characters`;
  if (!TAG_PATTERN.test(tag)) return `may contain only ${TAG_RULE}`;
  return null;
}
