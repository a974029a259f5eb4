import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MessageView, SendMessageResponse } from '../../../contract/api.ts';
import { ApiError, type VisitorApi, type VisitorCredentials } from '../api/visitor-api.ts';
import { newClientId } from '../client-id.ts';

export type OutgoingState = 'queued' | 'sending' | 'failed' | 'rate_limited' | 'offline';

export type OutgoingMessage = {
  localId: number;
  body: string;
  file?: File;
  category?: string;
  state: OutgoingState;
  /** While rate limited: seconds until the automatic retry. */
  retryInSeconds?: number;
  /** Why it failed, from the server, when it said. */
  error?: string;
  /**
   * This send's id, the same on every retry: the server stores the message once however often it
   * arrives, and the stored copy carries it (`client_id`), a message's or an upload's alike.
   */
  clientId: string;
};

export type Draft = { body: string; file?: File; category?: string };

/**
 * The client ids of the stored messages. A message on its way whose stored copy is among them has
 * arrived: the stream brought the copy before the answer to its send (both leave the server together),
 * or the answer was lost. Shown once, as stored, and no longer sent.
 */
const clientIdsOf = (stored: MessageView[]) =>
  new Set(stored.flatMap((message) => (message.client_id ? [message.client_id] : [])));

/**
 * Messages on their way to the server, sent one at a time in the order they were written, so the
 * conversation keeps its order. A message the server refused waits for Retry or Discard; a rate-limited
 * one retries by itself after `Retry-After`; offline ones go when the browser is back online.
 */
export function useOutgoingMessages(
  api: VisitorApi,
  credentials: VisitorCredentials | null,
  {
    online,
    onSent,
    stored = [],
  }: {
    online: boolean;
    onSent(response: SendMessageResponse): void;
    /** The conversation's stored messages. */
    stored?: MessageView[];
  },
) {
  const [outgoing, setOutgoing] = useState<OutgoingMessage[]>([]);
  const nextId = useRef(1);
  const inFlight = useRef(new Set<number>());
  const onSentRef = useRef(onSent);
  onSentRef.current = onSent;
  const storedIds = useMemo(() => clientIdsOf(stored), [stored]);

  const patch = useCallback((localId: number, change: Partial<OutgoingMessage>) => {
    setOutgoing((list) =>
      list.map((message) => (message.localId === localId ? { ...message, ...change } : message)),
    );
  }, []);

  const head = outgoing[0];
  useEffect(() => {
    if (!head || !credentials) return;
    if (head.state === 'offline' && online) return patch(head.localId, { state: 'queued' });
    if (head.state !== 'queued') return;
    if (!online) return patch(head.localId, { state: 'offline' });
    if (inFlight.current.has(head.localId)) return;

    inFlight.current.add(head.localId);
    patch(head.localId, { state: 'sending', error: undefined });
    const message = { body: head.body, category: head.category, client_id: head.clientId };
    const send = head.file
      ? api.uploadFile(credentials, { ...message, file: head.file })
      : api.sendMessage(credentials, message);
    send
      .finally(() => inFlight.current.delete(head.localId))
      .then(
        (response) => {
          setOutgoing((list) => list.filter((message) => message.localId !== head.localId));
          onSentRef.current(response);
        },
        (error: unknown) => {
          if (error instanceof ApiError && error.code === 'message_deleted') {
            // A retry of a send whose message the visitor deleted since (in another tab): it is gone.
            setOutgoing((list) => list.filter((message) => message.localId !== head.localId));
          } else if (error instanceof ApiError && error.status === 429) {
            patch(head.localId, { state: 'rate_limited', retryInSeconds: error.retryAfterSeconds ?? 5 });
          } else if (!(error instanceof ApiError) && !navigator.onLine) {
            patch(head.localId, { state: 'offline' });
          } else {
            patch(head.localId, {
              state: 'failed',
              error: error instanceof ApiError ? error.message : undefined,
            });
          }
        },
      );
  }, [api, credentials, online, head, patch]);

  // The countdown of a rate-limited message, then its retry.
  useEffect(() => {
    if (head?.state !== 'rate_limited') return;
    const timer = setTimeout(() => {
      const left = (head.retryInSeconds ?? 1) - 1;
      patch(
        head.localId,
        left > 0 ? { retryInSeconds: left } : { state: 'queued', retryInSeconds: undefined },
      );
    }, 1000);
    return () => clearTimeout(timer);
  }, [head, patch]);

  // A message whose stored copy came is done, whatever its state (a send whose answer was lost): the next goes.
  useEffect(() => {
    if (outgoing.some((message) => storedIds.has(message.clientId))) {
      setOutgoing((list) => list.filter((message) => !storedIds.has(message.clientId)));
    }
  }, [outgoing, storedIds]);

  const send = useCallback((draft: Draft) => {
    const localId = nextId.current++;
    setOutgoing((list) => [...list, { ...draft, localId, clientId: newClientId(), state: 'queued' }]);
  }, []);
  const retry = useCallback((localId: number) => patch(localId, { state: 'queued' }), [patch]);
  const discard = useCallback(
    (localId: number) => setOutgoing((list) => list.filter((message) => message.localId !== localId)),
    [],
  );

  return {
    outgoing: outgoing.filter((message) => !storedIds.has(message.clientId)),
    send,
    retry,
    discard,
  };
}
