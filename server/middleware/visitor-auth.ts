import type { AppMiddleware } from '../context.ts';
import { unauthorized } from '../http-error.ts';
import type { VisitorTokens } from '../visitor-token.ts';

/** Requires `Authorization: Bearer <visitor token>` and puts the token's session on `ctx.state.visitor`. */
export function visitorAuthMiddleware(tokens: VisitorTokens): AppMiddleware {
  return async (ctx, next) => {
    const match = /^Bearer ([\w.-]+)$/.exec(ctx.get('Authorization'));
    const visitor = match?.[1] ? await tokens.verify(match[1]) : null;
    if (!visitor) throw unauthorized();
    ctx.state.visitor = visitor;
    await next();
  };
}
