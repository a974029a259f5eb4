import type { CategoryOption, WidgetConfigResponse } from '../../contract/api.ts';

/**
 * The categories of GET /api/config with their labels. An older server sends only `categories` (keys):
 * then each key is its own label.
 */
export function categoryOptionsOf(config: Pick<WidgetConfigResponse, 'categories' | 'category_options'>) {
  return (
    config.category_options ??
    config.categories.map((key): CategoryOption => ({ key, label: key, labels: {} }))
  );
}

/** A category's label in a language; a key that is not (or no longer) configured shows as it is. */
export function categoryLabel(options: CategoryOption[], key: string, language: string): string {
  const option = options.find((candidate) => candidate.key === key);
  return option ? (option.labels[language] ?? option.label) : key;
}
