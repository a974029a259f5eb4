import { useCallback, useState } from 'react';

/** Text being written (a reply, a closing note), kept per ticket while the app is open. */
const drafts = new Map<string, string>();

export function useDraft(key: string) {
  const [value, setValue] = useState(() => drafts.get(key) ?? '');
  const change = useCallback(
    (next: string) => {
      drafts.set(key, next);
      setValue(next);
    },
    [key],
  );
  const clear = useCallback(() => {
    drafts.delete(key);
    setValue('');
  }, [key]);
  return { value, change, clear };
}
