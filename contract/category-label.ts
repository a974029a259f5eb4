import type { CategoryOption } from './api.ts';

/**
 * A category's label in a language (`CATEGORIES`' per-language labels, else its default label); a key that
 * is not (or no longer) configured shows as it is. Used by the widget and the visitor's transcript.
 */
export function categoryLabel(options: CategoryOption[], key: string, language: string): string {
  const option = options.find((candidate) => candidate.key === key);
  return option ? (option.labels[language] ?? option.label) : key;
}
