import { useCallback, useState } from 'react';
import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';

/** Saves a blob as a file through a temporary link. */
function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * "Download transcript": the visitor's own conversations as a text file. Fetched with the token in the
 * Authorization header (never in a URL) and saved from a Blob.
 */
export function useTranscriptDownload(
  api: VisitorApi,
  credentials: VisitorCredentials | null,
  language: string,
  save: (blob: Blob, fileName: string) => void = saveBlob,
) {
  const [state, setState] = useState<'idle' | 'saving' | 'failed'>('idle');
  const download = useCallback(async () => {
    if (!credentials) return;
    setState('saving');
    try {
      const blob = await api.transcript(credentials, language);
      save(blob, `conversation-${new Date().toISOString().slice(0, 10)}.txt`);
      setState('idle');
    } catch {
      setState('failed');
    }
  }, [api, credentials, language, save]);
  return { state, download };
}
