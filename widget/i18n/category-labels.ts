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

export { categoryLabel } from '../../contract/category-label.ts';
