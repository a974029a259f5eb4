import Router from '@koa/router';
import {
  type CategoryOption,
  type CloseTicketResponse,
  type CreateSessionResponse,
  contactRequestSchema,
  conversationQuerySchema,
  createSessionRequestSchema,
  editMessageRequestSchema,
  type IdentifyResponse,
  identifyRequestSchema,
  type MessageResponse,
  messageIdParamSchema,
  pageContextSchema,
  rateTicketRequestSchema,
  reactionRequestSchema,
  type SendMessageResponse,
  sendMessageRequestSchema,
  setCategoryRequestSchema,
  ticketIdSchema,
  transcriptQuerySchema,
  type WidgetConfigResponse,
} from '../../contract/api.ts';
import { categoryLabel } from '../../contract/category-label.ts';
import { NotFound } from '../../core/errors.ts';
import type { MediaStore } from '../../core/media-store.ts';
import type { Services } from '../../core/services.ts';
import { createIdentityVerifier } from '../../core/visitor-identity.ts';
import type { AppContext, AppState } from '../context.ts';
import { HttpError } from '../http-error.ts';
import type { VisitorLimits } from '../limits/visitor-limits.ts';
import { sendMediaFile } from '../media-response.ts';
import { enforceRateLimit, rateLimitMiddleware } from '../middleware/rate-limit.ts';
import { visitorAuthMiddleware } from '../middleware/visitor-auth.ts';
import { ownSessionIdOf, tokenSessionIdOf } from '../route-params.ts';
import { createTypingThrottle } from '../typing-throttle.ts';
import { parseInput } from '../validation.ts';
import { sendExport } from '../visitor-data-response.ts';
import type { VisitorTokens } from '../visitor-token.ts';
import { receiveMediaMessage } from './media-upload.ts';

export type VisitorRouteDeps = {
  services: Services;
  tokens: VisitorTokens;
  categories: string[];
  /** The categories with their labels per language (`CATEGORIES`); absent: each key is its own label. */
  categoryOptions?: CategoryOption[];
  /** Rate limits and caps, wherever they live (limits/create-limit-store.ts). */
  limits: VisitorLimits;
  media: MediaStore;
  quotaBytesPerSession: number;
  /** IDENTITY_SECRET: verifies `Switchboard.identify`; absent → identification is refused. */
  identitySecret?: string;
  /** WIDGET_ORIGINS: the sites allowed to embed the chat (`*`: any); a page the widget reports must be on one. */
  widgetOrigins?: string[];
};

/** The widget's REST API (DESIGN.md §4). A visitor token opens only its own session: other ids answer 404. */
export function visitorRoutes(deps: VisitorRouteDeps) {
  const { services, tokens } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api' });
  const auth = visitorAuthMiddleware(tokens);
  const typing = createTypingThrottle();
  const { limits } = deps;
  const identities = createIdentityVerifier(deps.identitySecret);

  /**
   * A page the widget reports (its URL) must be on a site allowed to embed the chat: anything else was not
   * sent by the widget there, and must not show on the agents' card as where the visitor is.
   */
  const allowedOrigins = deps.widgetOrigins?.includes('*') ? null : (deps.widgetOrigins ?? null);
  const checkPage = (context: { url?: string } | undefined) => {
    if (!allowedOrigins || !context?.url) return;
    if (!allowedOrigins.includes(new URL(context.url).origin)) {
      throw new HttpError(400, 'validation_failed', 'url: not a page of a site allowed to embed the chat');
    }
  };

  /** The session named in the path, if it is the token's own (whether it still exists is not checked). */
  const tokenSessionId = (ctx: { params: Record<string, string>; state: AppState }) =>
    tokenSessionIdOf(ctx.params.id, ctx.state.visitor);

  /** The session named in the path, if it is the token's own and still exists. */
  const ownSessionId = (ctx: { params: Record<string, string>; state: AppState }) =>
    ownSessionIdOf(services, ctx.params.id, ctx.state.visitor);

  const canonicalCategory = (category: string | undefined) => {
    if (category === undefined) return undefined;
    const match = deps.categories.find((known) => known.toLowerCase() === category.toLowerCase());
    if (!match) {
      throw new HttpError(400, 'validation_failed', `category: must be one of ${deps.categories.join(', ')}`);
    }
    return match;
  };

  const categoryOptions =
    deps.categoryOptions ?? deps.categories.map((key): CategoryOption => ({ key, label: key, labels: {} }));

  router.get('/config', async (ctx) => {
    const reply = await services.responseTime.firstReply();
    ctx.body = {
      categories: deps.categories,
      category_options: categoryOptions,
      typical_reply_seconds: reply.medianSeconds,
      edit_window_seconds: services.messageChanges.editWindowSeconds,
    } satisfies WidgetConfigResponse;
  });

  router.post(
    '/session',
    rateLimitMiddleware(limits.sessions, (ctx) => `ip:${ctx.ip}`),
    async (ctx) => {
      const input = parseInput(createSessionRequestSchema, ctx.request.body ?? {}, 'body');
      checkPage(input.context);
      const sessionId = await services.sessions.createSession({
        locale: input.locale ?? ctx.acceptsLanguages()[0],
        referer: input.referer ?? (ctx.get('Referer') || undefined),
        userAgent: ctx.get('User-Agent') || undefined,
        context: input.context,
      });
      ctx.status = 201;
      ctx.body = {
        session_id: sessionId,
        access_token: await tokens.sign(sessionId),
      } satisfies CreateSessionResponse;
    },
  );

  /** Where the visitor is now: the host page's URL and title, … (the widget sends every page change). */
  router.put('/session/:id/context', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const context = parseInput(pageContextSchema, ctx.request.body, 'body');
    checkPage(context);
    await enforceRateLimit(limits.context, `session:${sessionId}`);
    await services.sessions.updateContext(sessionId, context);
    ctx.status = 204;
  });

  /**
   * The host site identified the visitor (`Switchboard.identify`): with the right hash, the answer is the
   * credentials of the identity's one session (this one, or the one the id already has). The hash is
   * checked before anything is read or written; a refusal changes nothing.
   */
  router.post('/session/:id/identify', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const input = parseInput(identifyRequestSchema, ctx.request.body, 'body');
    await enforceRateLimit(limits.identify, `session:${sessionId}`);
    identities.verify(input.id, input.hash);
    const identified = await services.sessions.identify(sessionId, {
      externalId: input.id,
      name: input.name,
      email: input.email,
    });
    ctx.body = {
      session_id: identified,
      access_token: await tokens.sign(identified),
    } satisfies IdentifyResponse;
  });

  router.get('/session/:id', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const query = parseInput(conversationQuerySchema, ctx.query, 'query');
    ctx.body = await services.sessions.getConversation(sessionId, query);
  });

  /**
   * Storing the message checks that the session exists (404 if not), in the same statement. A send again
   * with the same `client_id` (its answer was lost) is answered as the first time, with the stored message.
   */
  router.post('/session/:id/messages', auth, async (ctx) => {
    const sessionId = tokenSessionId(ctx);
    const input = parseInput(sendMessageRequestSchema, ctx.request.body, 'body');
    const category = canonicalCategory(input.category);
    // Only valid messages count against the limit.
    await enforceRateLimit(limits.messages, `session:${sessionId}`);
    const sent = await services.messages.sendVisitorMessage({
      sessionId,
      body: input.body,
      category,
      clientId: input.client_id,
    });
    ctx.status = 201;
    ctx.body = { message: sent.message, ticket: sent.ticket } satisfies SendMessageResponse;
  });

  /** The message named in the path (`:messageId`); a malformed id is simply not found. */
  const messageIdOf = (ctx: { params: Record<string, string> }) => {
    const id = messageIdParamSchema.safeParse(ctx.params.messageId);
    if (!id.success) throw new NotFound('Message');
    return id.data;
  };

  /** The visitor edits one of their recent messages (within the edit window, ticket open). */
  router.patch('/session/:id/messages/:messageId', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const messageId = messageIdOf(ctx);
    const input = parseInput(editMessageRequestSchema, ctx.request.body, 'body');
    await enforceRateLimit(limits.messages, `session:${sessionId}`);
    const message = await services.messageChanges.editByVisitor({ sessionId, messageId, body: input.body });
    ctx.body = { message } satisfies MessageResponse;
  });

  /** The visitor deletes one of their recent messages (within the edit window, ticket open). */
  router.delete('/session/:id/messages/:messageId', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const messageId = messageIdOf(ctx);
    await enforceRateLimit(limits.messages, `session:${sessionId}`);
    await services.messageChanges.deleteByVisitor({ sessionId, messageId });
    ctx.status = 204;
  });

  /** The visitor's reaction to an agent's message (`{ emoji: null }` takes it back). */
  router.put('/session/:id/messages/:messageId/reaction', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const messageId = messageIdOf(ctx);
    const input = parseInput(reactionRequestSchema, ctx.request.body, 'body');
    await enforceRateLimit(limits.messages, `session:${sessionId}`);
    const message = await services.messageChanges.reactByVisitor({
      sessionId,
      messageId,
      emoji: input.emoji,
    });
    ctx.body = { message } satisfies MessageResponse;
  });

  /**
   * The visitor is typing: shown in the agent's Telegram. At most one call every 2 s per session is
   * passed on (the rest answer 204 at once, without touching the database).
   */
  router.post('/session/:id/typing', auth, async (ctx) => {
    const sessionId = ctx.params.id ?? '';
    if (sessionId !== ctx.state.visitor?.sessionId) throw new NotFound('Session');
    if (typing.pass(sessionId)) {
      await services.typing.visitorTyping(await ownSessionId(ctx));
    }
    ctx.status = 204;
  });

  router.post('/session/:id/contact', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const contact = parseInput(contactRequestSchema, ctx.request.body, 'body');
    await services.sessions.saveContact(sessionId, contact);
    ctx.body = { ok: true };
  });

  router.post('/session/:id/media', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    await receiveMediaMessage(ctx, sessionId, { ...deps, canonicalCategory });
  });

  router.get('/session/:id/media/:file', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    await sendMediaFile(ctx, deps.media, sessionId, ctx.params.file ?? '');
  });

  /** The visitor's own conversations as a text file (the widget's "Download transcript"). */
  router.get('/session/:id/transcript', auth, async (ctx) => {
    const sessionId = await ownSessionId(ctx);
    const { lang } = parseInput(transcriptQuerySchema, ctx.query, 'query');
    const data = await services.visitorData.export(sessionId);
    const language = lang ?? (data.session.locale?.startsWith('ru') ? 'ru' : 'en');
    sendExport(ctx, data, 'text', {
      audience: 'visitor',
      language,
      categoryLabel: (key) => categoryLabel(categoryOptions, key, language),
    });
  });

  router.post('/tickets/:id/close', auth, async (ctx) => {
    const ticketId = ticketIdSchema.safeParse(ctx.params.id);
    if (!ticketId.success) throw new NotFound('Ticket');
    const ticket = await services.tickets.close(ticketId.data, {
      kind: 'visitor',
      sessionId: ctx.state.visitor?.sessionId as string,
    });
    ctx.body = { ticket } satisfies CloseTicketResponse;
  });

  router.put('/tickets/:id/category', auth, async (ctx) => {
    const ticketId = ticketIdSchema.safeParse(ctx.params.id);
    if (!ticketId.success) throw new NotFound('Ticket');
    const input = parseInput(setCategoryRequestSchema, ctx.request.body, 'body');
    const category = input.category === null ? null : (canonicalCategory(input.category) as string);
    const sessionId = ctx.state.visitor?.sessionId as string;
    const ticket = await services.tickets.setCategory(ticketId.data, sessionId, category);
    ctx.body = { ticket } satisfies CloseTicketResponse;
  });

  router.post('/tickets/:id/rating', auth, async (ctx) => {
    const ticketId = ticketIdSchema.safeParse(ctx.params.id);
    if (!ticketId.success) throw new NotFound('Ticket');
    const input = parseInput(rateTicketRequestSchema, ctx.request.body, 'body');
    const sessionId = ctx.state.visitor?.sessionId as string;
    const ticket = await services.tickets.rate(ticketId.data, sessionId, input.rating, input.comment);
    ctx.body = { ticket } satisfies CloseTicketResponse;
  });

  return router;
}
