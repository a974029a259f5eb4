import { useCallback, useState } from 'react';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';

/** Saves a blob as a file through a temporary link (the page's own download). */
export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const reason = (failure: unknown) =>
  failure instanceof ApiError ? failure.message : 'No connection to the server. Try again in a moment.';

/**
 * A ticket's visitor's data: export (transcript or JSON, saved as a file) and erase (asks first; the
 * second step erases, then `onErased`).
 */
export function useVisitorData(
  api: AgentApi,
  ticketId: number,
  { onErased, save = saveBlob }: { onErased: () => void; save?: (blob: Blob, fileName: string) => void },
) {
  const [busy, setBusy] = useState<'json' | 'text' | 'erase' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const exportAs = useCallback(
    async (format: 'json' | 'text') => {
      setBusy(format);
      setError(null);
      try {
        const file = await api.exportVisitor(ticketId, format);
        save(file.blob, file.fileName);
      } catch (failure) {
        haptics.error();
        setError(reason(failure));
      } finally {
        setBusy(null);
      }
    },
    [api, ticketId, save],
  );

  const erase = useCallback(async () => {
    setBusy('erase');
    setError(null);
    try {
      await api.eraseVisitor(ticketId);
      haptics.success();
      setConfirming(false);
      onErased();
    } catch (failure) {
      haptics.error();
      setError(reason(failure));
    } finally {
      setBusy(null);
    }
  }, [api, ticketId, onErased]);

  return {
    busy,
    confirming,
    error,
    exportAs,
    startErase: () => {
      setError(null);
      setConfirming(true);
    },
    cancelErase: () => setConfirming(false),
    erase,
  };
}
