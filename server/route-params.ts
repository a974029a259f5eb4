import { ticketIdSchema } from '../contract/api.ts';
import { NotFound } from '../core/errors.ts';
import type { AppState } from './context.ts';

/** The signed-in agent's id, on a route behind the agent-auth middleware. */
export const agentIdOf = (ctx: { state: AppState }) => (ctx.state.agent as NonNullable<AppState['agent']>).id;

/** The ticket named in the path (`:id`); a malformed id is simply not found. */
export const ticketIdOf = (ctx: { params: Record<string, string> }) => {
  const id = ticketIdSchema.safeParse(ctx.params.id);
  if (!id.success) throw new NotFound('Ticket');
  return id.data;
};
