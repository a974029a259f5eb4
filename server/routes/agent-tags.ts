import Router from '@koa/router';
import {
  addTagsRequestSchema,
  type OpenTagsResponse,
  type TicketTagsResponse,
} from '../../contract/tags-api.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { agentIdOf, ticketIdOf } from '../route-params.ts';
import { parseInput } from '../validation.ts';

/** Tags in the agents' API (issue 13 §5): any agent reads, adds and removes a ticket's tags. */
export function agentTagRoutes(deps: { services: Services; access?: AgentAccess }) {
  const { services } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(deps.access, services);
  router.get('/tags', auth, async (ctx) => {
    ctx.body = (await services.tags.open()) satisfies OpenTagsResponse;
  });

  router.get('/tickets/:id/tags', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    ctx.body = { ticket_id: id, tags: await services.tags.list(id) } satisfies TicketTagsResponse;
  });

  router.post('/tickets/:id/tags', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    const input = parseInput(addTagsRequestSchema, ctx.request.body, 'body');
    ctx.body = {
      ticket_id: id,
      tags: await services.tags.add(id, agentIdOf(ctx), input.tags),
    } satisfies TicketTagsResponse;
  });

  router.delete('/tickets/:id/tags/:tag', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    ctx.body = {
      ticket_id: id,
      tags: await services.tags.remove(id, [ctx.params.tag ?? '']),
    } satisfies TicketTagsResponse;
  });

  return router;
}
