import { useCallback, useState } from 'react';
import type { MessageView } from '../../../contract/api.ts';
import { ApiError, type VisitorApi, type VisitorCredentials } from '../api/visitor-api.ts';

/**
 * What the visitor does to messages already sent: edit or delete their own recent ones, react to the
 * agent's. Each change shows as the server answers it; a refusal becomes `error` (the API's error code,
 * e.g. `edit_window_expired`, or `offline`) until the next action.
 */
export function useMessageActions(
  api: VisitorApi,
  credentials: VisitorCredentials | null,
  { onChanged, onDeleted }: { onChanged(message: MessageView): void; onDeleted(messageId: number): void },
) {
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (action: (auth: VisitorCredentials) => Promise<void>) => {
      if (!credentials) return false;
      setError(null);
      try {
        await action(credentials);
        return true;
      } catch (caught) {
        setError(caught instanceof ApiError ? caught.code : 'offline');
        return false;
      }
    },
    [credentials],
  );

  return {
    error,
    clearError: useCallback(() => setError(null), []),
    edit: useCallback(
      (messageId: number, body: string) =>
        run(async (auth) => onChanged((await api.editMessage(auth, messageId, body)).message)),
      [api, run, onChanged],
    ),
    remove: useCallback(
      (messageId: number) =>
        run(async (auth) => {
          await api.deleteMessage(auth, messageId);
          onDeleted(messageId);
        }),
      [api, run, onDeleted],
    ),
    react: useCallback(
      (messageId: number, emoji: string | null) =>
        run(async (auth) => onChanged((await api.react(auth, messageId, emoji)).message)),
      [api, run, onChanged],
    ),
  };
}
