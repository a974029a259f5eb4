import { INVALID_TEXT_MESSAGE, isBlankText, isLanguageTag, isValidText } from '../contract/text.ts';
import { InvalidText } from './errors.ts';

/**
 * Text that reaches core without passing through the HTTP contract (agents' messages and close notes from
 * Telegram, headers) is held to the same definition of valid text (contract/text.ts).
 */

/** Refuses text with NUL, control or broken characters (InvalidText: 400 over HTTP, a reply in the bot). */
export function assertValidText(value: string | undefined, field: string): void {
  if (value !== undefined && !isValidText(value)) throw new InvalidText(field, INVALID_TEXT_MESSAGE);
}

/** The text trimmed, or undefined when it shows nothing (empty, or only invisible characters). */
export function visibleTextOrUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && !isBlankText(trimmed) ? trimmed : undefined;
}

/**
 * A value worth keeping from a source that cannot be argued with (request headers such as User-Agent and
 * Referer, which the visitor rarely chooses): trimmed, valid text cut to `maxLength` UTF-16 code units;
 * anything else is dropped (null) rather than failing the request.
 */
export function validTextOrNull(value: string | undefined, maxLength: number): string | null {
  const trimmed = value?.trim();
  if (!trimmed || !isValidText(trimmed)) return null;
  return cutAt(trimmed, maxLength);
}

/**
 * A visitor's locale as a canonical BCP 47 tag (`pt-br` → `pt-BR`, `iw` → `he`), or null when the value
 * is not a plausible tag: Accept-Language is whatever the client sends (`*`, garbage, kilobytes).
 */
export function localeOrNull(value: string | undefined): string | null {
  const trimmed = value?.trim();
  if (!trimmed || !isLanguageTag(trimmed)) return null;
  try {
    const canonical = Intl.getCanonicalLocales(trimmed)[0];
    return canonical && isLanguageTag(canonical) ? canonical : null;
  } catch {
    return null;
  }
}

/** The first `maxLength` UTF-16 code units, never ending in half of a surrogate pair. */
function cutAt(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  const cut = value.slice(0, maxLength);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
