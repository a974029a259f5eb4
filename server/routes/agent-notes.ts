import Router from '@koa/router';
import { ticketIdSchema } from '../../contract/api.ts';
import {
  type AddNoteResponse,
  addNoteRequestSchema,
  type TicketNotesResponse,
} from '../../contract/notes-api.ts';
import { NotFound } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { parseInput } from '../validation.ts';

type Ctx = { params: Record<string, string>; state: AppState };

/** Internal notes in the agents' API (issue 13 §5): any agent reads and adds a ticket's notes. */
export function agentNoteRoutes(deps: { services: Services; access?: AgentAccess }) {
  const { services } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(deps.access, services);
  const agentId = (ctx: Ctx) => (ctx.state.agent as NonNullable<AppState['agent']>).id;
  const ticketId = (ctx: Ctx) => {
    const id = ticketIdSchema.safeParse(ctx.params.id);
    if (!id.success) throw new NotFound('Ticket');
    return id.data;
  };

  router.get('/tickets/:id/notes', auth, async (ctx) => {
    ctx.body = {
      notes: await services.notes.list(ticketId(ctx), agentId(ctx)),
    } satisfies TicketNotesResponse;
  });

  router.post('/tickets/:id/notes', auth, async (ctx) => {
    const id = ticketId(ctx);
    const input = parseInput(addNoteRequestSchema, ctx.request.body, 'body');
    const { note } = await services.notes.add({ ticketId: id, agentId: agentId(ctx), body: input.body });
    ctx.status = 201;
    ctx.body = { note } satisfies AddNoteResponse;
  });

  return router;
}
