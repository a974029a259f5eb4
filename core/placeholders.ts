/**
 * Placeholders in canned replies: `{visitor_name}`, `{agent_name}`, … filled in when a reply is used, so
 * that a visitor never sees a raw placeholder. A placeholder may carry its own fallback for an unknown
 * value: `{visitor_name|friend}`; without one, PLACEHOLDER_FALLBACKS applies. Unknown placeholder names are
 * refused when a reply is saved (`unknownPlaceholders`), so only these can ever be in a stored reply.
 */

export const PLACEHOLDERS = [
  'visitor_name',
  'visitor_email',
  'agent_name',
  'agent_full_name',
  'ticket_id',
  'category',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** What a placeholder becomes when its value is unknown (no name given, no email left, no category). */
export const PLACEHOLDER_FALLBACKS: Record<Placeholder, string> = {
  visitor_name: 'there',
  visitor_email: 'your email address',
  agent_name: 'our team',
  agent_full_name: 'our team',
  ticket_id: 'your request',
  category: 'support',
};

/** The values known for a ticket (null: unknown, the fallback is used). */
export type PlaceholderValues = Partial<Record<Placeholder, string | null>>;

/** `{name}` or `{name|fallback}`; names are lower-case words, fallbacks up to 40 characters without braces. */
const PLACEHOLDER_PATTERN = /\{([a-z_]+)(?:\|([^{}\n]{1,40}))?\}/g;

/** A long value (a name of 200 characters) is shortened: a snippet must stay a message. */
const VALUE_MAX_LENGTH = 64;

const shorten = (value: string) =>
  value.length <= VALUE_MAX_LENGTH ? value : `${[...value].slice(0, VALUE_MAX_LENGTH - 1).join('')}…`;

const isPlaceholder = (name: string): name is Placeholder =>
  (PLACEHOLDERS as readonly string[]).includes(name);

/** Placeholder names in `text` that are not known (e.g. `{visitor_nmae}`), in order, once each. */
export function unknownPlaceholders(text: string): string[] {
  const unknown = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    if (!isPlaceholder(match[1] as string)) unknown.add(match[1] as string);
  }
  return [...unknown];
}

/** Whether `text` has a placeholder among `names` (all known ones when omitted). */
export function hasPlaceholders(text: string, names: readonly Placeholder[] = PLACEHOLDERS): boolean {
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    if ((names as readonly string[]).includes(match[1] as string)) return true;
  }
  return false;
}

/**
 * Fills the known placeholders in `text`. With `only`, just those names are filled (the others stay, to be
 * filled later, e.g. the visitor's name once the ticket is known); without, every known placeholder is
 * filled, unknown values by their fallback. Text that is not a known placeholder stays as it is.
 */
export function fillPlaceholders(
  text: string,
  values: PlaceholderValues,
  { only }: { only?: readonly Placeholder[] } = {},
): string {
  return text.replace(PLACEHOLDER_PATTERN, (whole, name: string, fallback: string | undefined) => {
    if (!isPlaceholder(name)) return whole;
    if (only && !only.includes(name)) return whole;
    const value = values[name]?.trim();
    if (value) return shorten(value);
    return fallback?.trim() || PLACEHOLDER_FALLBACKS[name];
  });
}

/** An agent's name for `{agent_name}`: the first name (how agents introduce themselves in a chat). */
export const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? name;
