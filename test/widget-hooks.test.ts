// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, SendMessageResponse } from '../contract/api.ts';
import { createVisitorApi, type VisitorCredentials } from '../widget/app/api/visitor-api.ts';
import { emptyConversation, withMessages, withTicket } from '../widget/app/conversation-state.ts';
import { useConversation } from '../widget/app/hooks/use-conversation.ts';
import { useOutgoingMessages } from '../widget/app/hooks/use-outgoing-messages.ts';
import { useUnreadCount } from '../widget/app/hooks/use-unread-count.ts';
import { type SessionStore, useVisitorSession } from '../widget/app/hooks/use-visitor-session.ts';
import { pickLanguage } from '../widget/i18n/strings.ts';
import { safeColor } from '../widget/loader/protocol.ts';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/** The widget's hooks, rendered with React against the real server over HTTP. */
describe(`widget hooks (${databaseKind})`, () => {
  let app: TestApp;
  let api: ReturnType<typeof createVisitorApi>;

  const memoryStore = (
    initial: VisitorCredentials | null = null,
  ): SessionStore & { value: VisitorCredentials | null } => ({
    value: initial,
    load() {
      return this.value;
    },
    save(value) {
      this.value = value;
    },
  });
  const newSession = async (): Promise<VisitorCredentials> => {
    const created = await api.createSession({});
    return { sessionId: created.session_id, token: created.access_token };
  };
  /** An agent who claimed the session's ticket and answers it (as the bot would, through core). */
  const agentReplies = async (ticketId: number, body: string) => {
    const agent = await app.inContext(() =>
      app.services.agents.upsert({ tgChatId: 42_000 + ticketId, name: 'Dana', tgUsername: 'dana' }),
    );
    await app.inContext(() => app.services.tickets.claim(ticketId, agent.id)).catch(() => {});
    await app.inContext(() => app.services.messages.sendAgentMessage({ ticketId, agentId: agent.id, body }));
  };

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_MESSAGES: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
    api = createVisitorApi(app.url, globalThis.fetch);
  });
  afterEach(cleanup);
  afterAll(() => app?.close());

  it('useVisitorSession creates a session once and keeps it; renew() replaces it', async () => {
    const store = memoryStore();
    const { result, rerender } = renderHook(() => useVisitorSession(api, store, { locale: 'en' }));
    await waitFor(() => expect(result.current.credentials).not.toBeNull());
    const first = result.current.credentials;
    expect(store.value).toEqual(first);
    rerender();
    expect(result.current.credentials).toBe(first);

    const again = renderHook(() => useVisitorSession(api, store, { locale: 'en' }));
    expect(again.result.current.credentials).toEqual(first); // a reload: the same session

    act(() => result.current.renew());
    await waitFor(() => {
      expect(result.current.credentials).not.toBeNull();
      expect(result.current.credentials?.sessionId).not.toBe(first?.sessionId);
    });
    const renewed = result.current.credentials as VisitorCredentials;
    expect(store.value).toEqual(renewed);
    await expect(api.conversation(renewed)).resolves.toMatchObject({ session_id: renewed.sessionId });
  });

  it('useConversation loads the history, then streams new messages and ticket changes live', async () => {
    const credentials = await newSession();
    const sent = await api.sendMessage(credentials, { body: 'before the widget opened' });
    const { result } = renderHook(() =>
      useConversation(api, credentials, { onExpired: () => {}, online: true }),
    );
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(result.current.messages.map((m) => m.body)).toEqual(['before the widget opened']);
    await waitFor(() => expect(result.current.transport).toBe('live'));

    await agentReplies(sent.ticket.id, 'an agent answers');
    await waitFor(() => expect(result.current.messages.map((m) => m.body)).toContain('an agent answers'));
    expect(result.current.ticket).toMatchObject({ status: 'claimed', agent_name: 'Dana' });
  });

  it('useConversation falls back to polling when the stream is unavailable, and misses nothing', async () => {
    const credentials = await newSession();
    const sent = await api.sendMessage(credentials, { body: 'hello' });
    const noStream = createVisitorApi(app.url, (input, init) =>
      String(input).endsWith('/events')
        ? Promise.reject(new TypeError('blocked'))
        : globalThis.fetch(input, init),
    );
    const { result } = renderHook(() =>
      useConversation(noStream, credentials, { onExpired: () => {}, online: true, pollMs: 100 }),
    );
    await waitFor(() => expect(result.current.transport).toBe('polling'));
    await agentReplies(sent.ticket.id, 'polled reply 1');
    await agentReplies(sent.ticket.id, 'polled reply 2');
    await waitFor(() =>
      expect(result.current.messages.filter((m) => m.sender !== 'system').map((m) => m.body)).toEqual([
        'hello',
        'polled reply 1',
        'polled reply 2',
      ]),
    );
  });

  it('useConversation reports an expired or unknown session', async () => {
    const forged = { sessionId: crypto.randomUUID(), token: 'not-a-token' };
    let expired = 0;
    renderHook(() => useConversation(api, forged, { onExpired: () => expired++, online: true }));
    await waitFor(() => expect(expired).toBe(1));
  });

  it('useOutgoingMessages sends in order, waits out 429, and keeps a refused message for retry', async () => {
    const credentials = await newSession();
    const sent: string[] = [];
    const { result } = renderHook(() =>
      useOutgoingMessages(api, credentials, {
        online: true,
        onSent: (response) => sent.push(response.message.body),
      }),
    );
    // RATE_LIMIT_MESSAGES=2 per minute: the third waits for Retry-After and says so.
    act(() => {
      result.current.send({ body: 'one' });
      result.current.send({ body: 'two' });
      result.current.send({ body: 'three' });
    });
    await waitFor(() => expect(sent).toEqual(['one', 'two']));
    await waitFor(() =>
      expect(result.current.outgoing[0]).toMatchObject({ body: 'three', state: 'rate_limited' }),
    );
    expect(result.current.outgoing[0]?.retryInSeconds).toBeGreaterThan(0);
    act(() => result.current.discard(result.current.outgoing[0]?.localId ?? 0));
    expect(result.current.outgoing).toEqual([]);

    // A message the server refuses (too long) stays, marked failed with the server's reason.
    const fresh = await newSession();
    const second = renderHook(() => useOutgoingMessages(api, fresh, { online: true, onSent: () => {} }));
    act(() => second.result.current.send({ body: 'x'.repeat(8001) }));
    await waitFor(() => expect(second.result.current.outgoing[0]?.state).toBe('failed'));
    expect(second.result.current.outgoing[0]?.error).toMatch(/at most 8000/);
    expect(await app.count(`messages where session_id = '${fresh.sessionId}'`)).toBe(0);
  });

  it('useOutgoingMessages holds messages while offline and sends them when back online', async () => {
    const credentials = await newSession();
    const sent: string[] = [];
    const { result, rerender } = renderHook(
      ({ online }) =>
        useOutgoingMessages(api, credentials, { online, onSent: (r) => sent.push(r.message.body) }),
      { initialProps: { online: false } },
    );
    act(() => result.current.send({ body: 'typed on the train' }));
    await waitFor(() => expect(result.current.outgoing[0]?.state).toBe('offline'));
    expect(sent).toEqual([]);
    rerender({ online: true });
    await waitFor(() => expect(sent).toEqual(['typed on the train']));
  });

  it('useOutgoingMessages shows a message once when its stored copy arrives before the answer to its send', async () => {
    const credentials = await newSession();
    let answer: (response: SendMessageResponse) => void = () => {};
    const slowApi = {
      ...api,
      sendMessage: () => new Promise<SendMessageResponse>((resolve) => (answer = resolve)),
    };
    const storedMessage = (id: number, body: string): MessageView => ({
      id,
      ticket_id: 1,
      sender: 'visitor',
      body,
      media_url: null,
      agent_name: null,
      created_at: '',
    });
    const { result, rerender } = renderHook(
      ({ stored }) => useOutgoingMessages(slowApi, credentials, { online: true, onSent: () => {}, stored }),
      { initialProps: { stored: [storedMessage(7, 'hello')] } },
    );
    act(() => result.current.send({ body: 'hello' }));
    await waitFor(() => expect(result.current.outgoing[0]?.state).toBe('sending'));
    // An older message with the same text, or a newer one with other text, is not its copy.
    rerender({ stored: [storedMessage(7, 'hello'), storedMessage(8, 'something else')] });
    expect(result.current.outgoing).toHaveLength(1);
    // The stream brings its copy: shown once, as stored, while the answer is still on its way.
    rerender({
      stored: [storedMessage(7, 'hello'), storedMessage(8, 'something else'), storedMessage(9, 'hello')],
    });
    expect(result.current.outgoing).toEqual([]);
    act(() => answer({ message: storedMessage(9, 'hello') } as SendMessageResponse));
    await waitFor(() => expect(result.current.outgoing).toEqual([]));
  });

  it('useUnreadCount counts agent and system messages that arrive while hidden', () => {
    const message = (id: number, sender: 'visitor' | 'agent' | 'system') => ({
      id,
      ticket_id: 1,
      sender,
      body: '',
      media_url: null,
      agent_name: null,
      created_at: '',
    });
    const { result, rerender } = renderHook(
      ({ messages, visible }) => useUnreadCount(messages, { visible, loaded: true }),
      { initialProps: { messages: [message(1, 'agent')], visible: false } },
    );
    expect(result.current).toBe(0); // what was there on load counts as seen
    rerender({ messages: [message(1, 'agent'), message(2, 'visitor'), message(3, 'agent')], visible: false });
    expect(result.current).toBe(1);
    rerender({ messages: [message(1, 'agent'), message(2, 'visitor'), message(3, 'agent')], visible: true });
    expect(result.current).toBe(0);
  });

  it('conversation state keeps messages in id order, once each; the latest ticket is current', () => {
    const m = (id: number) => ({
      id,
      ticket_id: 1,
      sender: 'agent' as const,
      body: String(id),
      media_url: null,
      agent_name: null,
      created_at: '',
    });
    const state = withMessages(withMessages(emptyConversation, [m(3), m(1)]), [m(2), m(3)]);
    expect(state.messages.map((x) => x.id)).toEqual([1, 2, 3]);
    const ticket = (id: number, status: 'open' | 'closed') => ({
      id,
      status,
      category: null,
      agent_name: null,
      created_at: '',
      claimed_at: null,
      closed_at: null,
      rating: null,
      contact_requested: false,
    });
    const withTwo = withTicket(withTicket(state, ticket(5, 'closed')), ticket(6, 'open'));
    expect(withTwo.ticket?.id).toBe(6);
    expect(withTicket(withTwo, ticket(5, 'closed')).ticket?.id).toBe(6);
  });

  it('options from the embed code are checked: language and colour', () => {
    expect(pickLanguage('ru-RU')).toBe('ru');
    expect(pickLanguage('xx', 'en-GB')).toBe('en');
    expect(pickLanguage(undefined)).toBe('en');
    expect(safeColor('#0f766e', '#000')).toBe('#0f766e');
    expect(safeColor('red;}body{display:none', '#000')).toBe('#000');
  });
});
