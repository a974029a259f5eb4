import { useEffect, useState } from 'react';
import type { VisitorApi } from '../api/visitor-api.ts';

/** The ticket categories the server offers (`CATEGORIES`); null while loading, [] if unavailable. */
export function useCategories(api: VisitorApi) {
  const [categories, setCategories] = useState<string[] | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.config().then(
      (config) => !cancelled && setCategories(config.categories),
      () => !cancelled && setCategories([]),
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return categories;
}
