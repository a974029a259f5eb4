// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationResponse, MessageView, SendMessageResponse, TicketView } from '../contract/api.ts';
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

  it('useConversation keeps the newer state of a ticket when an older one arrives after it', async () => {
    const credentials = await newSession();
    const ticket = (version: number, status: 'open' | 'claimed', agent: string | null): TicketView => ({
      id: 1,
      status,
      category: null,
      agent_name: agent,
      created_at: '',
      claimed_at: null,
      closed_at: null,
      rating: null,
      contact_requested: false,
      version,
    });
    const conversation: ConversationResponse = {
      session_id: credentials.sessionId,
      contact: null,
      ticket: ticket(1, 'open', null),
      tickets: [ticket(1, 'open', null)],
      messages: [],
      deleted_message_ids: [],
      revision: 1,
    };
    // The claim (version 3), then a state from before it (version 2) that another instance's event
    // brought late; the stream then stays open.
    const sse = [ticket(3, 'claimed', 'Dana'), ticket(2, 'open', null)]
      .map((state) => `event: ticket\ndata: ${JSON.stringify(state)}\n\n`)
      .join('');
    let delivered = false;
    const fakeApi = {
      ...api,
      conversation: async () => conversation,
      events: async (_auth: VisitorCredentials, _after: number | undefined, signal: AbortSignal) =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(sse));
              delivered = true;
              signal.addEventListener('abort', () => controller.close());
            },
          }),
        ),
    };
    const { result } = renderHook(() =>
      useConversation(fakeApi, credentials, { onExpired: () => {}, online: true }),
    );
    await waitFor(() => expect(result.current.ticket?.version).toBe(3));
    await waitFor(() => expect(delivered).toBe(true));
    // Both events were read (the stream is live): the older one changed nothing.
    await waitFor(() => expect(result.current.transport).toBe('live'));
    expect(result.current.ticket).toMatchObject({ version: 3, status: 'claimed', agent_name: 'Dana' });
    expect(result.current.tickets).toHaveLength(1);
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

  it('useOutgoingMessages matches its stored copy by client id, kept across retries, whichever comes first', async () => {
    const credentials = await newSession();
    const sends: { body: string; client_id?: string }[] = [];
    const answers: ((response: SendMessageResponse) => void)[] = [];
    let failNext = false;
    const slowApi = {
      ...api,
      sendMessage: (_: VisitorCredentials, message: { body: string; client_id?: string }) => {
        sends.push(message);
        if (failNext) {
          failNext = false;
          return Promise.reject(new TypeError('connection lost'));
        }
        return new Promise<SendMessageResponse>((resolve) => answers.push(resolve));
      },
    };
    const storedMessage = (id: number, body: string, clientId: string | null = null): MessageView => ({
      id,
      ticket_id: 1,
      sender: 'visitor',
      body,
      media_url: null,
      agent_name: null,
      created_at: '',
      client_id: clientId,
    });
    const { result, rerender } = renderHook(
      ({ stored }) => useOutgoingMessages(slowApi, credentials, { online: true, onSent: () => {}, stored }),
      { initialProps: { stored: [storedMessage(7, 'hello')] } },
    );
    act(() => result.current.send({ body: 'hello' }));
    await waitFor(() => expect(result.current.outgoing[0]?.state).toBe('sending'));
    const clientId = sends[0]?.client_id as string;
    expect(clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // A newer stored message with the same text is not its copy (another tab's, say): only its client id says.
    rerender({ stored: [storedMessage(7, 'hello'), storedMessage(8, 'hello', crypto.randomUUID())] });
    expect(result.current.outgoing).toHaveLength(1);
    // The stream brings its copy: shown once, as stored, while the answer is still on its way.
    const withCopy = [storedMessage(7, 'hello'), storedMessage(9, 'hello', clientId)];
    rerender({ stored: withCopy });
    expect(result.current.outgoing).toEqual([]);
    act(() => answers[0]?.({ message: withCopy[1] } as SendMessageResponse));
    await waitFor(() => expect(result.current.outgoing).toEqual([]));

    // A send whose answer is lost keeps its client id on Retry; once its stored copy shows, it is done
    // and the next message goes.
    failNext = true;
    act(() => {
      result.current.send({ body: 'lost answer' });
      result.current.send({ body: 'next' });
    });
    await waitFor(() => expect(result.current.outgoing[0]?.state).toBe('failed'));
    act(() => result.current.retry(result.current.outgoing[0]?.localId ?? 0));
    await waitFor(() => expect(sends).toHaveLength(3));
    expect(sends[2]).toMatchObject({ body: 'lost answer', client_id: sends[1]?.client_id });
    rerender({ stored: [...withCopy, storedMessage(10, 'lost answer', sends[1]?.client_id as string)] });
    await waitFor(() => expect(sends.map((sent) => sent.body)).toContain('next'));
    expect(result.current.outgoing.map((message) => message.body)).toEqual(['next']);
  });

  it('useOutgoingMessages drops a send whose message was deleted (in another tab) before its retry', async () => {
    const credentials = await newSession();
    /** The real send reaches the server and is stored, but its answer is lost on the way back. */
    let loseAnswer = true;
    const lossyApi = {
      ...api,
      sendMessage: async (...args: Parameters<typeof api.sendMessage>) => {
        const response = await api.sendMessage(...args);
        if (!loseAnswer) return response;
        loseAnswer = false;
        throw new TypeError('connection lost');
      },
    };
    const sent: string[] = [];
    const { result } = renderHook(() =>
      useOutgoingMessages(lossyApi, credentials, { online: true, onSent: (r) => sent.push(r.message.body) }),
    );
    act(() => result.current.send({ body: 'sent to the wrong chat' }));
    await waitFor(() => expect(result.current.outgoing[0]?.state).toBe('failed'));
    // Another tab showed the stored copy, and the visitor deleted it there (written directly: this app
    // allows a session two requests a minute, spent by the send and its retry).
    await app.orm.em
      .getConnection()
      .execute(`update messages set deleted_at = now() where session_id = ?`, [credentials.sessionId]);
    act(() => result.current.retry(result.current.outgoing[0]?.localId ?? 0));
    await waitFor(() => expect(result.current.outgoing).toEqual([]));
    expect(sent).toEqual([]);
    expect((await api.conversation(credentials)).messages).toEqual([]);
  });

  it('useOutgoingMessages sends an upload with a client id, keeps it on Retry, and matches its stored copy by it', async () => {
    const uploads: { client_id?: string }[] = [];
    /** The real upload reaches the server and is stored, but its answer is lost on the way back. */
    let loseAnswer = true;
    const lossyApi = {
      ...api,
      uploadFile: async (...args: Parameters<typeof api.uploadFile>) => {
        uploads.push({ client_id: args[1].client_id });
        const response = await api.uploadFile(...args);
        if (!loseAnswer) return response;
        loseAnswer = false;
        throw new TypeError('connection lost');
      },
    };
    const png = () =>
      new File([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])], 'shot.png', {
        type: 'image/png',
      });
    const storedUploads = async (credentials: VisitorCredentials) =>
      (await api.conversation(credentials)).messages;
    const render = (credentials: VisitorCredentials) =>
      renderHook(
        ({ stored }) =>
          useOutgoingMessages(lossyApi, credentials, { online: true, onSent: () => {}, stored }),
        { initialProps: { stored: [] as MessageView[] } },
      );

    // Its answer lost, the upload waits for Retry; the stored copy (the stream brings it) carries its
    // client id: it is done, never sent again.
    const first = await newSession();
    const one = render(first);
    act(() => one.result.current.send({ body: 'my screenshot', file: png() }));
    await waitFor(() => expect(one.result.current.outgoing[0]?.state).toBe('failed'));
    expect(uploads[0]?.client_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const stored = await storedUploads(first);
    expect(stored.map((message) => message.client_id)).toEqual([uploads[0]?.client_id]);
    one.rerender({ stored });
    expect(one.result.current.outgoing).toEqual([]);

    // Retried: the same client id again, and the server answers with the message it stored the first time.
    loseAnswer = true;
    const second = await newSession();
    const two = render(second);
    act(() => two.result.current.send({ body: 'again', file: png() }));
    await waitFor(() => expect(two.result.current.outgoing[0]?.state).toBe('failed'));
    act(() => two.result.current.retry(two.result.current.outgoing[0]?.localId ?? 0));
    await waitFor(() => expect(two.result.current.outgoing).toEqual([]));
    expect(uploads).toHaveLength(3);
    expect(uploads[2]?.client_id).toBe(uploads[1]?.client_id);
    expect((await storedUploads(second)).map((message) => message.client_id)).toEqual([
      uploads[1]?.client_id,
    ]);
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
