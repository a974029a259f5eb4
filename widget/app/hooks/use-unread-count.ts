import { useEffect, useState } from 'react';
import type { MessageView } from '../../../contract/api.ts';

/**
 * Agent and system messages that arrived while the chat was hidden; seen as soon as it is shown. What
 * the conversation held when it first loaded counts as seen.
 */
export function useUnreadCount(
  messages: MessageView[],
  { visible, loaded }: { visible: boolean; loaded: boolean },
) {
  const newestId = messages.at(-1)?.id ?? 0;
  const [seenUpTo, setSeenUpTo] = useState<number | null>(null);

  useEffect(() => {
    if (loaded && (visible || seenUpTo === null)) setSeenUpTo(newestId);
  }, [loaded, visible, newestId, seenUpTo]);

  if (visible || seenUpTo === null) return 0;
  return messages.filter((message) => message.id > seenUpTo && message.sender !== 'visitor').length;
}
