import Router from '@koa/router';
import { type EraseResponse, exportQuerySchema } from '../../contract/agent-api.ts';
import { sessionIdSchema, ticketIdSchema } from '../../contract/api.ts';
import { NotFound } from '../../core/errors.ts';
import type { MediaStore } from '../../core/media-store.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { adminAuthMiddleware } from '../middleware/admin-auth.ts';
import { parseInput } from '../validation.ts';
import { erasedBody, sendExport } from '../visitor-data-response.ts';

/**
 * The operator's data requests, `Authorization: Bearer $ADMIN_TOKEN` (404 without ADMIN_TOKEN):
 * `GET /api/admin/sessions/:id/export?format=json|text` and `DELETE /api/admin/sessions/:id` (erase the
 * visitor: session, tickets, messages, passes, files; the group's cards say "erased"). A card names a
 * ticket (#12): `GET /api/admin/tickets/:id` answers its session id.
 */
export function adminRoutes(deps: { services: Services; media: MediaStore; adminToken?: string }) {
  const { services } = deps;
  const router = new Router<AppState, AppContext>({ prefix: '/api/admin' });
  const auth = adminAuthMiddleware(deps.adminToken);
  const sessionId = (ctx: { params: Record<string, string> }) => {
    const id = sessionIdSchema.safeParse(ctx.params.id);
    if (!id.success) throw new NotFound('Session');
    return id.data;
  };

  router.get('/tickets/:id', auth, async (ctx) => {
    const id = ticketIdSchema.safeParse(ctx.params.id);
    if (!id.success) throw new NotFound('Ticket');
    ctx.body = { ticket_id: id.data, session_id: await services.visitorData.sessionOfTicket(id.data) };
  });

  router.get('/sessions/:id/export', auth, async (ctx) => {
    const { format } = parseInput(exportQuerySchema, ctx.query, 'query');
    sendExport(ctx, await services.visitorData.export(sessionId(ctx)), format, { audience: 'agent' });
  });

  router.delete('/sessions/:id', auth, async (ctx) => {
    const id = sessionId(ctx);
    const result = await services.visitorData.erase(id, (erased) => deps.media.removeSession(erased));
    ctx.state.log?.info({ sessionId: id, tickets: result.ticketIds }, 'visitor data erased by the operator');
    ctx.body = erasedBody(result) satisfies EraseResponse;
  });

  return router;
}
