// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVisitorApi, type VisitorCredentials } from '../widget/app/api/visitor-api.ts';
import { useTranscriptDownload } from '../widget/app/hooks/use-transcript-download.ts';
import { chatStrings } from '../widget/i18n/strings.ts';
import { databaseKind } from './support/database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/** The widget's "Download transcript" (issue 11 §5), against the real server. */
describe(`the visitor's transcript (${databaseKind})`, () => {
  let app: TestApp;
  const requests: { url: string; authorization: string | null }[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    requests.push({
      url: String(input),
      authorization: new Headers(init?.headers).get('Authorization'),
    });
    return fetch(input, init);
  };
  let api: ReturnType<typeof createVisitorApi>;

  const newSession = async (locale?: string): Promise<VisitorCredentials> => {
    const created = await api.createSession(locale ? { locale } : {});
    return { sessionId: created.session_id, token: created.access_token };
  };

  beforeAll(async () => {
    app = await startTestApp({
      RATE_LIMIT_MESSAGES: '100',
      ADMIN_TOKEN: 'admin-token-0123456789',
      CATEGORIES: 'general:General|ru=Общее,billing:Billing|ru=Оплата',
    });
    api = createVisitorApi(app.url, recordingFetch);
  }, 60_000);
  afterEach(cleanup);
  afterAll(() => app?.close());

  it('saves the visitor’s own conversation as a text file, fetched with the token in a header only', async () => {
    const visitor = await newSession();
    await api.sendMessage(visitor, { body: 'Where is my parcel?' });
    await api.sendMessage(visitor, { body: 'Order 1234\nshipped Monday' });
    const saved: { text: string; fileName: string; type: string }[] = [];
    const { result } = renderHook(() =>
      useTranscriptDownload(api, visitor, 'en', (blob, fileName) => {
        void blob.text().then((text) => saved.push({ text, fileName, type: blob.type }));
      }),
    );

    await act(() => result.current.download());
    await expect.poll(() => saved.length).toBe(1);
    expect(result.current.state).toBe('idle');
    const [file] = saved;
    expect(file?.fileName).toMatch(/^conversation-\d{4}-\d{2}-\d{2}\.txt$/);
    expect(file?.type).toMatch(/^text\/plain/);
    expect(file?.text).toContain('Conversation transcript');
    expect(file?.text).toMatch(/\] You: Where is my parcel\?\n/);
    expect(file?.text).toContain('You: Order 1234\n    shipped Monday');
    const call = requests.find((request) => request.url.includes('/transcript'));
    expect(call?.url).not.toContain(visitor.token);
    expect(call?.authorization).toBe(`Bearer ${visitor.token}`);
  });

  it('in Russian when the widget speaks Russian: system lines and the category too', async () => {
    const visitor = await newSession('ru-RU');
    const sent = await api.sendMessage(visitor, { body: 'Привет', category: 'billing' });
    await app.inContext(async () => {
      const agent = await app.services.agents.upsert({ tgChatId: 7001, name: 'Алиса' });
      await app.services.tickets.claim(sent.ticket.id, agent.id);
      await app.services.messages.sendAgentMessage({
        ticketId: sent.ticket.id,
        agentId: agent.id,
        body: 'Слушаю',
      });
    });
    await api.closeTicket(visitor, sent.ticket.id);
    const blob = await api.transcript(visitor, 'ru');
    const text = await blob.text();
    expect(text).toContain('Стенограмма переписки');
    expect(text).toContain('Вы: Привет');
    expect(text).toContain(`=== Обращение #${sent.ticket.id} · Оплата — открыто`);
    expect(text).toMatch(/\] Система: Алиса теперь в чате\n/);
    expect(text).toMatch(/\] Система: Вы завершили разговор\n/);
    expect(text).not.toMatch(/joined|closed by|Billing/);
    // The English transcript of the same conversation says it in English.
    const english = await (await api.transcript(visitor, 'en')).text();
    expect(english).toMatch(/\] System: You ended the conversation\n/);
    expect(english).toContain('· Billing —');
    expect(chatStrings.ru.downloadTranscript).toBe('Скачать переписку');
    expect(chatStrings.en.downloadTranscript).toBe('Download transcript');
  });

  it('only with the session’s own token: another token 404, none 401; a failure shows, nothing is saved', async () => {
    const owner = await newSession();
    await api.sendMessage(owner, { body: 'private' });
    const other = await newSession();
    const path = `${app.url}/api/session/${owner.sessionId}/transcript`;
    expect((await fetch(path, { headers: { authorization: `Bearer ${other.token}` } })).status).toBe(404);
    expect((await fetch(path)).status).toBe(401);

    const forged = { sessionId: owner.sessionId, token: other.token };
    let saves = 0;
    const { result } = renderHook(() => useTranscriptDownload(api, forged, 'en', () => saves++));
    await act(() => result.current.download());
    expect(result.current.state).toBe('failed');
    expect(saves).toBe(0);
  });
  it('leaves out what the visitor deleted; the operator’s export keeps it, marked', async () => {
    const visitor = await newSession();
    await api.sendMessage(visitor, { body: 'Keep this line' });
    const sent = await api.sendMessage(visitor, { body: 'My card number is 4111 1111' });
    await api.deleteMessage(visitor, sent.message.id);
    const text = await (await api.transcript(visitor, 'en')).text();
    expect(text).toContain('Keep this line');
    expect(text).not.toContain('4111');

    const exported = await fetch(`${app.url}/api/admin/sessions/${visitor.sessionId}/export?format=text`, {
      headers: { authorization: 'Bearer admin-token-0123456789' },
    });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toMatch(/My card number is 4111 1111 \(deleted by its author\)/);
  });
});
