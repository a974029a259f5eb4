import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCard } from '../bot/render/card.ts';
import type { TicketCard } from '../core/agent-desk.service.ts';
import { identityHash } from '../core/visitor-identity.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';
import { writeArtifact } from './support/artifacts.ts';
import { databaseKind } from './support/database.ts';
import { fakeSupportGroup } from './support/support-group.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { newVisitor } from './support/visitor.ts';

/** Issue 14 §4: the group card shows the page the visitor is on (a link, escaped) and who they are. */
const GROUP = -1001234567001;
const ALICE = { id: 2001, first_name: 'Alice', username: 'alice' };
const SECRET = 'identity-secret-identity-secret-0123456789';

type Entity = { type: string; offset: number; length: number; url?: string };
type Sent = { message_id: number; text?: string; entities?: Entity[] };

describe(`the card's visitor lines (${databaseKind})`, () => {
  let fake: FakeTelegram;
  let app: TestApp;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    app = await startTestApp({ ...fakeSupportGroup(fake, GROUP, [ALICE]), IDENTITY_SECRET: SECRET });
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('shows the current page as an escaped link, and the identified name and email', async () => {
    const visitor = await newVisitor(app.url);
    const url = 'https://shop.example/pricing?plan=pro&x="1"#<top>';
    const title = '<b>Pricing</b> & "plans"';
    const context = await visitor.http.request('PUT', `/api/session/${visitor.sessionId}/context`, {
      token: visitor.token,
      json: { url, title },
    });
    expect(context.status).toBe(204);
    const identified = await visitor.http.post(`/api/session/${visitor.sessionId}/identify`, {
      token: visitor.token,
      json: { id: 'u-7', name: 'Ada <Admin>', email: 'ada@example.com', hash: identityHash(SECRET, 'u-7') },
    });
    expect(identified.status).toBe(200);
    const { ticket } = await visitor.say('Which plan do I need?');

    const card = await fake.waitFor(
      () =>
        fake.messages(GROUP).find((m: Sent) => m.text?.includes(`#${ticket.id}`) && m.text.includes('🌐')) as
          | Sent
          | undefined,
      { timeoutMs: 15_000 },
    );
    // Telegram parsed the HTML: the visitor's text shows as written, never as markup.
    expect(card.text).toContain(`🌐 ${title} · shop.example`);
    expect(card.text).toContain('👤 Ada <Admin> · ada@example.com');
    const link = card.entities?.find((entity) => entity.type === 'text_link');
    expect(link?.url).toBe(url);
    expect(card.text?.slice(link?.offset, (link?.offset ?? 0) + (link?.length ?? 0))).toBe(title);
    writeArtifact('card-visitor-context.txt', `${card.text}\n\nlink: ${link?.url}\n`);
  });

  it('escapes the page and identity in the HTML it renders', () => {
    const card: TicketCard = {
      id: 5,
      status: 'open',
      category: null,
      firstMessage: 'Hi',
      latestMessage: null,
      visitorMessageCount: 1,
      passedBy: [],
      claimedBy: null,
      contact: null,
      groupMessageId: null,
      locale: null,
      rating: null,
      page: { url: 'https://a.example/?q="><script>', title: '</a><b>x' },
      identity: { name: '<i>Eve</i>', email: null },
    };
    const { text } = renderCard(card);
    expect(text).toContain(
      '🌐 <a href="https://a.example/?q=&quot;&gt;&lt;script&gt;">&lt;/a&gt;&lt;b&gt;x</a>',
    );
    expect(text).toContain('👤 &lt;i&gt;Eve&lt;/i&gt;');
    // Without a title, the address is the link's text; a stored non-http address is never a link.
    expect(renderCard({ ...card, page: { url: 'https://a.example/p', title: null } }).text).toContain(
      '<a href="https://a.example/p">https://a.example/p</a>',
    );
    expect(renderCard({ ...card, page: { url: 'javascript:alert(1)', title: 'T' } }).text).not.toContain(
      '<a ',
    );
  });
});
