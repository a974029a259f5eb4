import { useCallback, useState } from 'react';
import { UPLOAD_MAX_BYTES, UPLOAD_TYPES } from '../../../contract/limits.ts';
import { useFilePreview } from './use-file-preview.ts';

export type DraftError = 'fileTooBig' | 'fileTypeNotAllowed';

/** The message being written: its text and an optional attachment, checked before it is sent. */
export function useDraft() {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const [error, setError] = useState<DraftError | null>(null);
  const preview = useFilePreview(file);

  const pickFile = useCallback((picked: File | undefined) => {
    setError(null);
    if (!picked) return;
    if (!UPLOAD_TYPES.includes(picked.type)) return setError('fileTypeNotAllowed');
    if (picked.size > UPLOAD_MAX_BYTES) return setError('fileTooBig');
    setFile(picked);
  }, []);
  const clearFile = useCallback(() => setFile(undefined), []);
  /** Takes the draft for sending and empties the box; undefined when there is nothing to send. */
  const take = useCallback(() => {
    const body = text.trim();
    if (!body && !file) return undefined;
    setText('');
    setFile(undefined);
    setError(null);
    return { body, file };
  }, [text, file]);

  return { text, setText, file, preview, error, pickFile, clearFile, take };
}
