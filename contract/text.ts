import { z } from 'zod';

/**
 * What counts as text, for every string the API, the bot and the Mini App accept. Browser-safe: zod only.
 *
 * Valid text is well-formed Unicode without:
 * - control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) other than tab, line feed and
 *   carriage return. PostgreSQL refuses NUL in `text`; the others are invisible, break rendering and logs,
 *   and no keyboard types them;
 * - lone surrogates (half of a UTF-16 pair): they have no UTF-8 form, so they would be stored or sent to
 *   Telegram as U+FFFD, silently changed;
 * - noncharacters (U+FDD0–U+FDEF and the last two code points of every plane, U+FFFE, U+FFFF, …): reserved
 *   by Unicode for a program's internal use, never for interchange.
 *
 * Lengths are counted in UTF-16 code units (JavaScript's `length`), as Telegram counts them and as HTML's
 * `maxlength` does in the browser, so a limit means the same thing in the widget, the API and Telegram.
 */
const INVALID_CODE_POINT = /(?![\t\n\r])\p{Cc}|\p{Cs}|\p{Noncharacter_Code_Point}/u;

/**
 * Characters that show nothing: white space, format characters (zero-width space and joiners, BOM, bidi
 * marks, …), other default-ignorable code points (Hangul fillers, variation selectors, …) and the blank
 * braille pattern, which renders as a space. A message made only of these would arrive empty.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

export const INVALID_TEXT_MESSAGE = 'must not contain control characters, NUL or broken characters';
export const BLANK_TEXT_MESSAGE = 'must not be empty';

/** Whether a string is valid text (see above). */
export const isValidText = (value: string) => !INVALID_CODE_POINT.test(value);

/** Whether a string shows nothing: empty, or only white space and invisible characters. */
export const isBlankText = (value: string) => INVISIBLE_ONLY.test(value);

/**
 * A text field: trimmed, valid text, at most `max` UTF-16 code units (zod's own `.max()` counts code
 * points, which lets an emoji-heavy text past Telegram's limits). `nonBlank` also refuses empty and
 * invisible-only text.
 */
export function text({ max, nonBlank = false }: { max: number; nonBlank?: boolean }) {
  return z
    .string()
    .trim()
    .refine(isValidText, { message: INVALID_TEXT_MESSAGE, abort: true })
    .refine((value) => !nonBlank || !isBlankText(value), { message: BLANK_TEXT_MESSAGE, abort: true })
    .refine((value) => value.length <= max, `must be at most ${max} characters`);
}

/**
 * A plausible BCP 47 language tag, as browsers send them: a 2–3 letter language, then optional script
 * (`Hant`), region (`BR`, `419`) and variants (`1996`), at most 35 characters (RFC 5646's advice for
 * buffers). Extensions, private use and grandfathered tags are not wanted for a visitor's locale.
 */
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*$/i;
export const LANGUAGE_TAG_MAX_LENGTH = 35;

export const isLanguageTag = (value: string) =>
  value.length <= LANGUAGE_TAG_MAX_LENGTH && LANGUAGE_TAG.test(value);

export const languageTagSchema = z
  .string()
  .trim()
  .refine(isLanguageTag, 'must be a language tag such as en or pt-BR');
