import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView } from '../contract/api.ts';
import { createInProcessEventBus } from '../core/event-bus.ts';
import { noOutbox } from '../core/outbox.ts';
import { createServices } from '../core/services.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { databaseKind } from './support/database.ts';
import { mediaFiles, pngBytes } from './support/media-files.ts';
import { startRawUpload } from './support/raw-upload.ts';
import { openSse } from './support/sse.ts';
import { storedMediaOf } from './support/stored-media.ts';
import { agentsStartTheBot, claimedTicket, fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { eventually, newVisitor, type Visitor } from './support/visitor.ts';

const GROUP = -1001234567890;
const ALICE = { id: 5001, first_name: 'Alice', username: 'alice' };
const TIMEOUT = { timeoutMs: 20_000 };

type Sent = { message_id: number; text?: string; caption?: string; photo?: unknown[] };
type Answer = { status: number; body: { message: MessageView; error?: { code: string; message: string } } };

/**
 * An upload whose answer was lost is sent again by the widget with the same `client_id` (in the query):
 * it is stored once, as a retried text send is.
 */
describe(`a retried upload is stored once (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({ ...fakeSupportGroup(fake, GROUP, [ALICE]), RATE_LIMIT_MESSAGES: '100' });
    await agentsStartTheBot(fake, [ALICE]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  /** A ticket claimed by Alice, who got the "connected" note: its visitor messages go to her DM. */
  const claimed = () =>
    claimedTicket(fake, { appUrl: app.url, groupId: GROUP, agent: ALICE, timeoutMs: TIMEOUT.timeoutMs });

  /** What Alice's DM got about the ticket's visitor messages: photos and texts. */
  const relayed = (ticketId: number) =>
    fake
      .sentTo(ALICE.id)
      .filter((m: Sent) => (m.text ?? m.caption ?? '').startsWith(`#${ticketId} · Visitor`)) as Sent[];

  const upload = async (visitor: Visitor, caption: string, query: string): Promise<Answer> => {
    const form = new FormData();
    form.append('file', new Blob([pngBytes(2048)], { type: 'image/png' }), 'screenshot.png');
    form.append('body', caption);
    const response = await fetch(`${app.url}/api/session/${visitor.sessionId}/media${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
      body: form,
    });
    return { status: response.status, body: await response.json() };
  };
  const uploadWith = (visitor: Visitor, caption: string, clientId: string) =>
    upload(visitor, caption, `?client_id=${clientId}`);
  const sendText = (visitor: Visitor, body: string, clientId: string) =>
    visitor.http.post(`/api/session/${visitor.sessionId}/messages`, {
      token: visitor.token,
      json: { body, client_id: clientId },
    });

  const incomingFiles = () => mediaFiles(app.dataDir).filter((file) => file.path.startsWith('.incoming'));
  /** The session's stored files and any incoming (partly received) file. */
  const filesOf = async (visitor: Visitor) => [
    ...(await storedMediaOf(app, visitor.sessionId)),
    ...incomingFiles(),
  ];
  const messagesOf = (visitor: Visitor) =>
    app.count(`messages where session_id = '${visitor.sessionId}' and sender = 'visitor'`);

  it('a retry with the same client_id answers the stored message: one message, one file, one photo to the agent; another session may use the id', async () => {
    const { visitor, ticketId } = await claimed();
    const clientId = crypto.randomUUID();
    const first = await uploadWith(visitor, 'my screenshot', clientId);
    expect(first.status).toBe(201);
    expect(first.body.message.client_id).toBe(clientId);
    const retried = await uploadWith(visitor, 'my screenshot', clientId.toUpperCase());
    expect(retried.status).toBe(201);
    expect(retried.body.message).toEqual(first.body.message);
    expect(await messagesOf(visitor)).toBe(2);
    expect(await filesOf(visitor)).toHaveLength(1);

    // Two at once, both past the look-up (their files on the way to disk) before either is stored: one
    // message, and the file of the one that lost is removed.
    const racing = crypto.randomUUID();
    const raws = [0, 1].map(() =>
      startRawUpload(`${app.url}/api/session/${visitor.sessionId}/media?client_id=${racing}`, {
        token: visitor.token,
        type: 'image/png',
        fileName: 'twice.png',
      }),
    );
    for (const raw of raws) {
      await raw.send(raw.fileHead());
      await raw.send(pngBytes(4096));
    }
    await eventually(async () => incomingFiles().filter((file) => file.size >= 4096).length === 2);
    for (const raw of raws) {
      await raw.send(raw.tail());
      raw.end();
    }
    const answers = await Promise.all(raws.map((raw) => raw.response));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    const [one, two] = answers.map((answer) => (answer.body as Answer['body']).message);
    expect(one?.id).toBe(two?.id);
    expect(await messagesOf(visitor)).toBe(3);
    expect(await filesOf(visitor)).toHaveLength(2);

    // Telegram: one photo per upload. A message sent after them arrives after any copy would have.
    await visitor.say('after the uploads');
    await fake.waitFor(() => relayed(ticketId).some((m) => m.text?.endsWith('after the uploads')), TIMEOUT);
    const photos = relayed(ticketId).filter((m) => m.photo);
    expect(photos).toHaveLength(2);
    expect(photos.filter((m) => m.caption?.endsWith('my screenshot'))).toHaveLength(1);

    // The id is the client's for one session: another session's upload under it is its own.
    const other = await newVisitor(app.url);
    const elsewhere = await uploadWith(other, 'my screenshot', clientId);
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.message.id).not.toBe(first.body.message.id);
    expect(await filesOf(other)).toHaveLength(1);
  });

  it('a client_id used for another message is refused (409), a malformed one too (400): nothing stored', async () => {
    const visitor = await newVisitor(app.url);
    const textId = crypto.randomUUID();
    expect((await sendText(visitor, 'look', textId)).status).toBe(201);
    const uploadId = crypto.randomUUID();
    expect((await uploadWith(visitor, 'look', uploadId)).status).toBe(201);
    const messages = await messagesOf(visitor);
    const files = await filesOf(visitor);
    expect(files).toHaveLength(1);

    const refusals: Answer[] = [
      // A text message's id, even with the same text as the caption: the file makes it another message.
      await uploadWith(visitor, 'look', textId),
      // An upload's id for a text message, or for an upload with another caption.
      await sendText(visitor, 'look', uploadId),
      await uploadWith(visitor, 'another look', uploadId),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({ error: { code: 'conflict', message: expect.any(String) } });
    }

    for (const query of [
      '?client_id=not-a-uuid',
      `?client_id=${crypto.randomUUID()}&client_id=${crypto.randomUUID()}`,
      `?clientid=${crypto.randomUUID()}`,
    ]) {
      const refused = await upload(visitor, 'look', query);
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ error: { code: 'validation_failed', message: expect.any(String) } });
    }
    expect(await messagesOf(visitor)).toBe(messages);
    expect(await filesOf(visitor)).toEqual(files);
  });

  it('a retry of an upload deleted since is refused (410): it stays deleted, no file is written', async () => {
    const visitor = await newVisitor(app.url);
    const clientId = crypto.randomUUID();
    const first = await uploadWith(visitor, 'wrong file', clientId);
    expect(first.status).toBe(201);
    const deleted = await visitor.http.request(
      'DELETE',
      `/api/session/${visitor.sessionId}/messages/${first.body.message.id}`,
      { token: visitor.token },
    );
    expect(deleted.status).toBe(204);
    const files = await filesOf(visitor);

    const retried = await uploadWith(visitor, 'wrong file', clientId);
    expect(retried.status).toBe(410);
    expect(retried.body).toEqual({ error: { code: 'message_deleted', message: expect.any(String) } });
    expect(await messagesOf(visitor)).toBe(1);
    expect(await filesOf(visitor)).toEqual(files);
    const conversation = await visitor.http.get(`/api/session/${visitor.sessionId}`, {
      token: visitor.token,
    });
    expect(conversation.body.messages).toEqual([]);
  });

  it('an upload stored by an instance that died before publishing it reaches the stream when the widget retries it', async () => {
    const visitor = await newVisitor(app.url);
    const stream = await openSse(`${app.url}/api/session/${visitor.sessionId}/events`, {
      authorization: `Bearer ${visitor.token}`,
    });
    // That instance kept the file and committed the message, then died before it published: here,
    // services whose event bus nobody hears.
    const dead = createServices({ em: app.orm.em, bus: createInProcessEventBus(), outbox: noOutbox });
    const clientId = crypto.randomUUID();
    const mediaUrl = await app.media.save(visitor.sessionId, pngBytes(2048), 'image/png');
    const stored = await app.inContext(() =>
      dead.messages.sendVisitorMessage({ sessionId: visitor.sessionId, body: 'lost', mediaUrl, clientId }),
    );

    const retried = await uploadWith(visitor, 'lost', clientId);
    expect(retried.status).toBe(201);
    expect(retried.body.message.id).toBe(stored.message.id);
    await stream.waitFor(
      (events) =>
        events.some((e) => e.event === 'message' && (e.data as MessageView).id === stored.message.id),
      15_000,
    );
    await stream.close();
    expect(await messagesOf(visitor)).toBe(1);
    expect(await filesOf(visitor)).toHaveLength(1);
  });
});
