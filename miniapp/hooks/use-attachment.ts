import { useEffect, useState } from 'react';
import type { AgentApi } from '../api/agent-api.ts';

export type AttachmentState = { url: string; type: string } | 'loading' | 'failed';

/** A conversation's attachment as a `blob:` URL (fetched with the agent's initData), revoked when unused. */
export function useAttachment(api: AgentApi, ticketId: number, mediaUrl: string): AttachmentState {
  const [state, setState] = useState<AttachmentState>('loading');
  useEffect(() => {
    let url: string | undefined;
    let cancelled = false;
    setState('loading');
    api.media(ticketId, mediaUrl).then(
      (blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setState({ url, type: blob.type });
      },
      () => !cancelled && setState('failed'),
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, ticketId, mediaUrl]);
  return state;
}
