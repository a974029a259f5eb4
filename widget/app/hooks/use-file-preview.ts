import { useEffect, useState } from 'react';

/** A preview URL for an image the visitor picked, before it is sent. */
export function useFilePreview(file: File | undefined) {
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (!file?.type.startsWith('image/')) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  return preview;
}
