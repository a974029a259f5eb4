import { sessionIdSchema, ticketIdSchema } from '../contract/api.ts';
import { NotFound } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import type { AppState } from './context.ts';

/** The signed-in agent's id, on a route behind the agent-auth middleware. */
export const agentIdOf = (ctx: { state: AppState }) => (ctx.state.agent as NonNullable<AppState['agent']>).id;

/** The ticket named in the path (`:id`); a malformed id is simply not found. */
export const ticketIdOf = (ctx: { params: Record<string, string> }) => {
  const id = ticketIdSchema.safeParse(ctx.params.id);
  if (!id.success) throw new NotFound('Ticket');
  return id.data;
};

/**
 * The session named in the path (`:id`) when it is the visitor's own (the token's); whether it still
 * exists is not checked. Anything else is simply not found.
 */
export function tokenSessionIdOf(rawId: string | undefined, visitor: AppState['visitor']): string {
  const id = sessionIdSchema.safeParse(rawId);
  if (!id.success || id.data !== visitor?.sessionId) throw new NotFound('Session');
  return id.data;
}

/** The session named in the path (`:id`) when it is the visitor's own and still exists. */
export async function ownSessionIdOf(
  services: Services,
  rawId: string | undefined,
  visitor: AppState['visitor'],
): Promise<string> {
  const id = tokenSessionIdOf(rawId, visitor);
  if (!(await services.sessions.exists(id))) throw new NotFound('Session');
  return id;
}
