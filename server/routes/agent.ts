import Router from '@koa/router';
import {
  type AgentDeliveriesResponse,
  type AgentMeResponse,
  type AgentReplyResponse,
  type AgentTicketActionResponse,
  agentCloseRequestSchema,
  agentReplyRequestSchema,
  agentTransferRequestSchema,
  type EraseResponse,
  exportQuerySchema,
  type TransferCandidatesResponse,
  todayStatsQuerySchema,
} from '../../contract/agent-api.ts';
import { messageIdParamSchema } from '../../contract/api.ts';
import type { DeliveryStatus } from '../../core/delivery-backlog.ts';
import { NotFound } from '../../core/errors.ts';
import { assertInTeam, handOverCandidates } from '../../core/hand-over-candidates.ts';
import type { MediaStore } from '../../core/media-store.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { sendMediaFile } from '../media-response.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { agentIdOf, ticketIdOf } from '../route-params.ts';
import { createTypingThrottle } from '../typing-throttle.ts';
import { parseInput } from '../validation.ts';
import { erasedBody, sendExport } from '../visitor-data-response.ts';

export type AgentRouteDeps = {
  services: Services;
  media: MediaStore;
  /** Absent without a bot token: every route answers 503. */
  access?: AgentAccess;
  /** Telegram deliveries waiting (present with a bot); without, nothing can be behind. */
  deliveries?: () => Promise<DeliveryStatus>;
};

type Ctx = { params: Record<string, string>; state: AppState };

/**
 * The Mini App's API (`/api/agent/*`), for members of the support group only (agent-auth.ts). Claim, pass,
 * close and reply are the same core operations the bot uses, so a claim here and one on the group's card
 * race safely; the card is re-rendered by the delivery jobs and the visitor hears of it on the event bus.
 */
export function agentRoutes(deps: AgentRouteDeps) {
  const { services } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(deps.access, services);
  /** Still in the support group (the routes run only with `access`: without it the middleware answers 503). */
  const inTeam = async (tgChatId: number) => (await deps.access?.agentStatus(tgChatId)) === 'agent';
  // At most one typing event per agent and ticket every 2 s; more calls answer 204 and publish nothing.
  const typing = createTypingThrottle();

  const ticketAnswer = async (ctx: Ctx, id: number): Promise<AgentTicketActionResponse> => ({
    ticket: await services.agentConsole.ticketView(id, agentIdOf(ctx)),
  });

  router.get('/me', auth, (ctx) => {
    const agent = ctx.state.agent as NonNullable<AppState['agent']>;
    ctx.body = {
      agent: { id: agent.id, name: agent.name, username: agent.username },
      bot_username: deps.access?.botUsername() ?? null,
    } satisfies AgentMeResponse;
  });

  router.get('/queue', auth, async (ctx) => {
    const queue = await services.agentConsole.queue(agentIdOf(ctx));
    // `?tag=vip`: only tickets with that tag (issue 13 §5, core/tags.service.ts).
    const tag = ctx.query.tag;
    ctx.body = tag === undefined ? queue : await services.tags.filterQueue(queue, String(tag));
  });

  router.get('/tickets/:id', auth, async (ctx) => {
    ctx.body = await services.agentConsole.ticket(ticketIdOf(ctx), agentIdOf(ctx));
  });

  /** A file of the ticket's conversation (a message's `media_url` names the file). */
  router.get('/tickets/:id/media/:file', auth, async (ctx) => {
    const sessionId = await services.desk.sessionOf(ticketIdOf(ctx));
    await sendMediaFile(ctx, deps.media, sessionId, ctx.params.file ?? '');
  });

  /** Every conversation of the ticket's visitor (a data request): JSON or a plain-text transcript. */
  router.get('/tickets/:id/export', auth, async (ctx) => {
    const { format } = parseInput(exportQuerySchema, ctx.query, 'query');
    const sessionId = await services.visitorData.sessionOfTicket(ticketIdOf(ctx));
    sendExport(ctx, await services.visitorData.export(sessionId), format, { audience: 'agent' });
  });

  /**
   * Erases the ticket's visitor completely (session, every ticket, messages, files); any agent of the
   * support group may (the app asks for a confirmation). The group's cards then say "erased".
   */
  router.post('/tickets/:id/erase', auth, async (ctx) => {
    const sessionId = await services.visitorData.sessionOfTicket(ticketIdOf(ctx));
    const result = await services.visitorData.erase(sessionId, (id) => deps.media.removeSession(id));
    ctx.state.log?.info(
      { sessionId, tickets: result.ticketIds, agentId: agentIdOf(ctx) },
      'visitor data erased by an agent',
    );
    ctx.body = erasedBody(result) satisfies EraseResponse;
  });

  router.post('/tickets/:id/claim', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    await services.tickets.claim(id, agentIdOf(ctx));
    ctx.body = await ticketAnswer(ctx, id);
  });

  router.post('/tickets/:id/pass', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    await services.tickets.pass(id, agentIdOf(ctx));
    ctx.body = await ticketAnswer(ctx, id);
  });

  router.post('/tickets/:id/close', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    const input = parseInput(agentCloseRequestSchema, ctx.request.body ?? {}, 'body');
    await services.tickets.close(id, { kind: 'agent', agentId: agentIdOf(ctx), note: input.note });
    ctx.body = await ticketAnswer(ctx, id);
  });

  router.get('/tickets/:id/transfer-candidates', auth, async (ctx) => {
    const ticket = await services.agentConsole.ticketView(ticketIdOf(ctx), agentIdOf(ctx));
    const agents = await handOverCandidates(services.presence, {
      category: ticket.category,
      fromAgentId: agentIdOf(ctx),
      isMember: inTeam,
    });
    ctx.body = {
      agents: agents.map(({ openTickets, ...agent }) => ({ ...agent, open_tickets: openTickets })),
    } satisfies TransferCandidatesResponse;
  });

  router.post('/tickets/:id/transfer', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    const input = parseInput(agentTransferRequestSchema, ctx.request.body ?? {}, 'body');
    const target =
      input.to === 'queue' ? { to: 'queue' as const } : { to: 'agent' as const, agentId: input.to };
    if (target.to === 'agent') await assertInTeam(services.agents, target.agentId, inTeam);
    await services.tickets.handOver(id, agentIdOf(ctx), target, input.note);
    ctx.body = await ticketAnswer(ctx, id);
  });

  router.post('/tickets/:id/messages', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    const input = parseInput(agentReplyRequestSchema, ctx.request.body, 'body');
    const sent = await services.messages.sendAgentMessage({
      ticketId: id,
      agentId: agentIdOf(ctx),
      body: input.body,
    });
    ctx.status = 201;
    ctx.body = { message: sent.message, ticket: sent.ticket } satisfies AgentReplyResponse;
  });

  /** The agent deletes one of their own messages: gone for the visitor, marked in the app. */
  router.delete('/tickets/:id/messages/:messageId', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    const messageId = messageIdParamSchema.safeParse(ctx.params.messageId);
    if (!messageId.success) throw new NotFound('Message');
    await services.messageChanges.deleteByAgent({
      ticketId: id,
      agentId: agentIdOf(ctx),
      messageId: messageId.data,
    });
    ctx.status = 204;
  });

  /** The agent is typing a reply: the visitor sees "… is typing" (call every few seconds while typing). */
  router.post('/tickets/:id/typing', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    if (typing.pass(`${agentIdOf(ctx)}:${id}`)) await services.typing.agentTyping(id, agentIdOf(ctx));
    ctx.status = 204;
  });

  /** Whether deliveries to Telegram are backing up: the Mini App's banner (polled, and after live events). */
  router.get('/deliveries', auth, async (ctx) => {
    const status = (await deps.deliveries?.()) ?? { waiting: 0, oldestSeconds: null, delayed: false };
    ctx.body = {
      waiting: status.waiting,
      oldest_seconds: status.oldestSeconds,
      delayed: status.delayed,
    } satisfies AgentDeliveriesResponse;
  });

  router.get('/stats/today', auth, async (ctx) => {
    const query = parseInput(todayStatsQuerySchema, ctx.query, 'query');
    const since = query.since ? new Date(query.since) : utcMidnight();
    ctx.body = await services.agentConsole.todayStats(since);
  });

  return router;
}

function utcMidnight() {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
