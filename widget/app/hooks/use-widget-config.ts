import { useEffect, useState } from 'react';
import type { CategoryOption } from '../../../contract/api.ts';
import { DEFAULT_EDIT_WINDOW_SECONDS } from '../../../contract/limits.ts';
import { categoryOptionsOf } from '../../i18n/category-labels.ts';
import type { VisitorApi } from '../api/visitor-api.ts';

type WidgetConfig = {
  /** Keys and labels; the key is what a message's `category` carries. */
  categories: CategoryOption[] | null;
  typicalReplySeconds: number | null;
  editWindowSeconds: number;
};

/**
 * What the server says before the first message (GET /api/config): the ticket categories (null while
 * loading, [] if unavailable), the usual first-reply time in seconds (null when there is no data) and
 * how long after sending a message may be edited or deleted.
 */
export function useWidgetConfig(api: VisitorApi) {
  const [config, setConfig] = useState<WidgetConfig>({
    categories: null,
    typicalReplySeconds: null,
    editWindowSeconds: DEFAULT_EDIT_WINDOW_SECONDS,
  });
  useEffect(() => {
    let cancelled = false;
    api.config().then(
      (loaded) =>
        !cancelled &&
        setConfig({
          categories: categoryOptionsOf(loaded),
          typicalReplySeconds: loaded.typical_reply_seconds ?? null,
          editWindowSeconds: loaded.edit_window_seconds ?? DEFAULT_EDIT_WINDOW_SECONDS,
        }),
      () =>
        !cancelled &&
        setConfig({
          categories: [],
          typicalReplySeconds: null,
          editWindowSeconds: DEFAULT_EDIT_WINDOW_SECONDS,
        }),
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return config;
}
