import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  AgentTypingEvent,
  MessageDeletedEvent,
  MessageView,
  TicketView,
} from '../../../contract/api.ts';
import { readEventStream } from '../../../contract/event-stream.ts';
import { ApiError, type VisitorApi, type VisitorCredentials } from '../api/visitor-api.ts';
import {
  type ConversationState,
  emptyConversation,
  lastMessageId,
  withMessages,
  withoutMessage,
  withResponse,
  withTicket,
  withUpdated,
} from '../conversation-state.ts';

/** How long "Alice is typing…" shows after the agent's last keystroke was reported. */
const TYPING_SHOWN_MS = 6000;

export type Transport = 'connecting' | 'live' | 'polling';

export type ConversationOptions = {
  /** The server no longer knows this session or token. */
  onExpired(): void;
  online: boolean;
  /** Polling interval while the event stream is unavailable (the original design's 1.5 s). */
  pollMs?: number;
  /** How long to poll before trying the event stream again; doubles up to `maxStreamRetryMs`. */
  streamRetryMs?: number;
  maxStreamRetryMs?: number;
};

const isExpired = (error: unknown) =>
  error instanceof ApiError && (error.status === 401 || error.status === 404);

/**
 * The conversation, kept live: loaded once, then updated by the session's event stream, resumed after
 * the last message it has (`Last-Event-ID`), so nothing is missed or shown twice. While the stream is
 * unavailable it polls `?since=` (every message created, edited, reacted to or deleted since the last
 * answer) every 1.5 s and tries the stream again now and then. A reload asks only what changed, too.
 */
export function useConversation(
  api: VisitorApi,
  credentials: VisitorCredentials | null,
  { onExpired, online, pollMs = 1500, streamRetryMs = 5000, maxStreamRetryMs = 60_000 }: ConversationOptions,
) {
  const [state, setState] = useState<ConversationState>(emptyConversation);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [transport, setTransport] = useState<Transport>('connecting');
  const [attempt, setAttempt] = useState(0);
  const [typing, setTyping] = useState<string | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;
  const onExpiredRef = useRef(onExpired);
  onExpiredRef.current = onExpired;

  const update = useCallback((change: (current: ConversationState) => ConversationState) => {
    stateRef.current = change(stateRef.current);
    setState(stateRef.current);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` restarts the connection on reload()
  useEffect(() => {
    if (!credentials || !online) return;
    const abort = new AbortController();
    const { signal } = abort;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    const expire = () => {
      abort.abort();
      update(() => emptyConversation);
      onExpiredRef.current();
    };

    const run = async () => {
      try {
        const loaded = await api.conversation(credentials, stateRef.current.revision);
        if (signal.aborted) return;
        update((current) => withResponse(current, loaded));
        setStatus('ready');
      } catch (error) {
        if (signal.aborted) return;
        if (isExpired(error)) return expire();
        setStatus((current) => (current === 'ready' ? current : 'error'));
        return;
      }

      let retryMs = streamRetryMs;
      while (!signal.aborted) {
        setTransport('connecting');
        try {
          const response = await api.events(credentials, lastMessageId(stateRef.current), signal);
          setTransport('live');
          retryMs = streamRetryMs;
          await readEventStream(response, (event) => {
            const data = JSON.parse(event.data);
            if (event.event === 'message') {
              update((current) => withMessages(current, [data as MessageView]));
              // The agent's message is what they were typing.
              if ((data as MessageView).sender === 'agent') setTyping(null);
            } else if (event.event === 'ticket') update((current) => withTicket(current, data as TicketView));
            else if (event.event === 'message.updated')
              update((current) => withUpdated(current, data as MessageView));
            else if (event.event === 'message.deleted') {
              update((current) => withoutMessage(current, (data as MessageDeletedEvent).id));
            } else if (event.event === 'agent.typing') setTyping((data as AgentTypingEvent).agent_name);
          });
        } catch (error) {
          if (signal.aborted) return;
          if (isExpired(error)) return expire();
        }
        // The stream ended or is unavailable: poll until it is worth trying again.
        setTransport('polling');
        const until = Date.now() + retryMs;
        retryMs = Math.min(retryMs * 2, maxStreamRetryMs);
        while (!signal.aborted && Date.now() < until) {
          try {
            // Every change since the last answer: new messages, edits, reactions and deletions alike.
            const changes = await api.conversation(credentials, stateRef.current.revision);
            if (!signal.aborted) update((current) => withResponse(current, changes));
          } catch (error) {
            if (signal.aborted) return;
            if (isExpired(error)) return expire();
          }
          await sleep(pollMs);
        }
      }
    };
    void run();
    return () => abort.abort();
  }, [api, credentials, online, attempt, pollMs, streamRetryMs, maxStreamRetryMs, update]);

  // "typing…" fades unless reported again.
  useEffect(() => {
    if (typing === null) return;
    const timer = setTimeout(() => setTyping(null), TYPING_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [typing]);

  /** A message the visitor just sent (the send's response), shown before the stream echoes it. */
  const addSent = useCallback(
    (message: MessageView, ticket: TicketView) =>
      update((current) => withTicket(withMessages(current, [message]), ticket)),
    [update],
  );
  const setTicket = useCallback(
    (ticket: TicketView) => update((current) => withTicket(current, ticket)),
    [update],
  );
  const setContact = useCallback(
    (contact: ConversationState['contact']) => update((current) => ({ ...current, contact })),
    [update],
  );
  /** The visitor's own change (edit, reaction) as the server answered it, or their deletion. */
  const replaceMessage = useCallback(
    (message: MessageView) => update((current) => withUpdated(current, message)),
    [update],
  );
  const removeMessage = useCallback(
    (messageId: number) => update((current) => withoutMessage(current, messageId)),
    [update],
  );
  const reload = useCallback(() => {
    setStatus('loading');
    setAttempt((count) => count + 1);
  }, []);

  return {
    ...state,
    status,
    transport,
    typing,
    addSent,
    setTicket,
    setContact,
    replaceMessage,
    removeMessage,
    reload,
  };
}
