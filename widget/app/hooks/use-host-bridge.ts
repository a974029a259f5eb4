import { useCallback, useEffect, useState } from 'react';
import { type ChatToHost, type HostToChat, isProtocolMessage, PROTOCOL } from '../../loader/protocol.ts';

/**
 * The chat's side of the loader's postMessage channel. Messages go only to the host origin the loader
 * named, and only messages from that origin and the parent window are heard. Opened directly (not in
 * the loader's iframe), the chat is simply always visible.
 */
export function useHostBridge(hostOrigin: string | null) {
  const embedded = hostOrigin !== null && window.parent !== window;
  const [visible, setVisible] = useState(!embedded);

  const post = useCallback(
    (message: ChatToHost) => {
      if (embedded && hostOrigin) window.parent.postMessage(message, hostOrigin);
    },
    [embedded, hostOrigin],
  );

  useEffect(() => {
    if (!embedded) return;
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== hostOrigin || event.source !== window.parent) return;
      if (!isProtocolMessage<HostToChat>(event.data)) return;
      if (event.data.type === 'visibility') setVisible(event.data.open === true);
    };
    // Escape anywhere in the chat closes it (the loader gives focus back to the launcher).
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') post({ protocol: PROTOCOL, type: 'close' });
    };
    window.addEventListener('message', onMessage);
    document.addEventListener('keydown', onKeyDown);
    post({ protocol: PROTOCOL, type: 'ready' });
    return () => {
      window.removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [embedded, hostOrigin, post]);

  const close = useCallback(() => post({ protocol: PROTOCOL, type: 'close' }), [post]);
  const reportUnread = useCallback(
    (count: number) => post({ protocol: PROTOCOL, type: 'unread', count }),
    [post],
  );

  return { embedded, visible, close, reportUnread };
}
