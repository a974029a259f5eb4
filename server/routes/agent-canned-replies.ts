import Router from '@koa/router';
import { z } from 'zod';
import {
  type CannedRepliesResponse,
  type CannedReplyResponse,
  cannedReplyInputSchema,
  type TicketCannedRepliesResponse,
} from '../../contract/canned-replies-api.ts';
import { NotFound } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { agentIdOf, ticketIdOf } from '../route-params.ts';
import { parseInput } from '../validation.ts';

type Ctx = { params: Record<string, string>; state: AppState };

const replyIdSchema = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * Canned replies in the agents' API (issue 13 §4): every agent of the support group may list, add, edit
 * and delete the team's snippets; a ticket's reply box gets them filled for that ticket.
 */
export function agentCannedReplyRoutes(deps: {
  services: Services;
  access?: AgentAccess;
  /** The configured ticket categories' keys: a snippet's category must be one of them. */
  categories: readonly string[];
}) {
  const { services, categories } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(deps.access, services);
  const replyId = (ctx: Ctx) => {
    const id = replyIdSchema.safeParse(ctx.params.replyId);
    if (!id.success) throw new NotFound('Canned reply');
    return id.data;
  };

  router.get('/canned-replies', auth, async (ctx) => {
    ctx.body = { replies: await services.cannedReplies.list() } satisfies CannedRepliesResponse;
  });

  router.post('/canned-replies', auth, async (ctx) => {
    const input = parseInput(cannedReplyInputSchema, ctx.request.body, 'body');
    const reply = await services.cannedReplies.create(input, agentIdOf(ctx), categories);
    ctx.status = 201;
    ctx.body = { reply } satisfies CannedReplyResponse;
  });

  router.put('/canned-replies/:replyId', auth, async (ctx) => {
    const id = replyId(ctx);
    const input = parseInput(cannedReplyInputSchema, ctx.request.body, 'body');
    ctx.body = {
      reply: await services.cannedReplies.update(id, input, agentIdOf(ctx), categories),
    } satisfies CannedReplyResponse;
  });

  router.delete('/canned-replies/:replyId', auth, async (ctx) => {
    await services.cannedReplies.remove(replyId(ctx));
    ctx.status = 204;
  });

  /** The snippets for this ticket's reply box, its category's first, placeholders filled. */
  router.get('/tickets/:id/canned-replies', auth, async (ctx) => {
    const ticketId = ticketIdOf(ctx);
    ctx.body = {
      replies: await services.cannedReplies.forTicket(ticketId, agentIdOf(ctx)),
    } satisfies TicketCannedRepliesResponse;
  });

  return router;
}
