import Router from '@koa/router';
import {
  type EarlierTicketsResponse,
  type SearchResponse,
  searchQuerySchema,
} from '../../contract/search-api.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { ticketIdOf } from '../route-params.ts';
import { parseInput } from '../validation.ts';

/** Search across all conversations, and a visitor's earlier tickets (issue 13 §6), for agents. */
export function agentSearchRoutes(deps: { services: Services; access?: AgentAccess }) {
  const { services } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(deps.access, services);

  router.get('/search', auth, async (ctx) => {
    const query = parseInput(searchQuerySchema, ctx.query, 'query');
    ctx.body = (await services.search.search(query)) satisfies SearchResponse;
  });

  router.get('/tickets/:id/earlier', auth, async (ctx) => {
    ctx.body = { tickets: await services.search.earlier(ticketIdOf(ctx)) } satisfies EarlierTicketsResponse;
  });

  return router;
}
