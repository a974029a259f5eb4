import { useEffect, useState } from 'react';
import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';

/**
 * An attachment as a `blob:` URL: media needs the visitor's token, which never goes into a URL, so the
 * bytes are fetched with the Authorization header. The URL is revoked when no longer shown.
 */
export function useMediaUrl(
  api: VisitorApi,
  credentials: VisitorCredentials | null,
  mediaUrl: string | null,
) {
  const [result, setResult] = useState<{ url: string; type: string } | 'loading' | 'failed'>('loading');
  useEffect(() => {
    if (!credentials || !mediaUrl) return;
    let url: string | undefined;
    let cancelled = false;
    setResult('loading');
    api.media(credentials, mediaUrl).then(
      (blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setResult({ url, type: blob.type });
      },
      () => !cancelled && setResult('failed'),
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, credentials, mediaUrl]);
  return result;
}
