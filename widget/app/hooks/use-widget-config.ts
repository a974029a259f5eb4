import { useEffect, useState } from 'react';
import type { VisitorApi } from '../api/visitor-api.ts';

/**
 * What the server says before the first message (GET /api/config): the ticket categories (null while
 * loading, [] if unavailable) and the usual first-reply time in seconds (null when there is no data).
 */
export function useWidgetConfig(api: VisitorApi) {
  const [config, setConfig] = useState<{ categories: string[] | null; typicalReplySeconds: number | null }>({
    categories: null,
    typicalReplySeconds: null,
  });
  useEffect(() => {
    let cancelled = false;
    api.config().then(
      (loaded) =>
        !cancelled &&
        setConfig({
          categories: loaded.categories,
          typicalReplySeconds: loaded.typical_reply_seconds ?? null,
        }),
      () => !cancelled && setConfig({ categories: [], typicalReplySeconds: null }),
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return config;
}
