import type { CategoryOption } from '../contract/api.ts';

/** A message's `category` is at most this long (contract/api.ts), so a key is too. */
const KEY_MAX_LENGTH = 64;
const LANGUAGE = /^[a-z]{2,3}$/;

/**
 * `CATEGORIES`: comma-separated categories, each either a plain name (`Billing`: the key and its label in
 * every language) or `key:Label|ru=Метка|de=…` (a stable key that tickets store, the label shown by default,
 * then labels for other languages). Returns the options, or a readable problem (naming the item by its
 * position, not echoing it).
 */
export function parseCategories(value: string): { options: CategoryOption[] } | { problem: string } {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const options: CategoryOption[] = [];
  const seen = new Set<string>();
  for (const [index, item] of items.entries()) {
    const where = `item ${index + 1}`;
    const colon = item.indexOf(':');
    const key = (colon === -1 ? item : item.slice(0, colon)).trim();
    const [label = '', ...translations] = (colon === -1 ? key : item.slice(colon + 1)).split('|');
    if (!key) return { problem: `${where} has no key (write key:Label|ru=Метка or a plain name)` };
    if (/[|=]/.test(key))
      return { problem: `${where}: a key cannot contain | or = (write key:Label|ru=Метка)` };
    if (key.length > KEY_MAX_LENGTH)
      return { problem: `${where}: a key can be ${KEY_MAX_LENGTH} characters at most` };
    if (seen.has(key.toLowerCase()))
      return { problem: `${where} repeats a key (keys are compared ignoring case)` };
    seen.add(key.toLowerCase());
    if (!label.trim()) return { problem: `${where} has an empty label` };
    const labels: Record<string, string> = {};
    for (const translation of translations) {
      const equals = translation.indexOf('=');
      const language = translation.slice(0, equals).trim().toLowerCase();
      const text = translation.slice(equals + 1).trim();
      if (equals === -1 || !LANGUAGE.test(language)) {
        return { problem: `${where}: each label after | must be language=Label, e.g. ru=Оплата` };
      }
      if (!text) return { problem: `${where} has an empty label for ${language}` };
      if (language in labels) return { problem: `${where} gives ${language} twice` };
      labels[language] = text;
    }
    options.push({ key, label: label.trim(), labels });
  }
  return { options };
}
