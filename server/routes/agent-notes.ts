import Router from '@koa/router';
import {
  type AddNoteResponse,
  addNoteRequestSchema,
  type TicketNotesResponse,
} from '../../contract/notes-api.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { agentIdOf, ticketIdOf } from '../route-params.ts';
import { parseInput } from '../validation.ts';

/** Internal notes in the agents' API (issue 13 §5): any agent reads and adds a ticket's notes. */
export function agentNoteRoutes(deps: { services: Services; access?: AgentAccess }) {
  const { services } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(deps.access, services);

  router.get('/tickets/:id/notes', auth, async (ctx) => {
    ctx.body = {
      notes: await services.notes.list(ticketIdOf(ctx), agentIdOf(ctx)),
    } satisfies TicketNotesResponse;
  });

  router.post('/tickets/:id/notes', auth, async (ctx) => {
    const id = ticketIdOf(ctx);
    const input = parseInput(addNoteRequestSchema, ctx.request.body, 'body');
    const { note } = await services.notes.add({ ticketId: id, agentId: agentIdOf(ctx), body: input.body });
    ctx.status = 201;
    ctx.body = { note } satisfies AddNoteResponse;
  });

  return router;
}
