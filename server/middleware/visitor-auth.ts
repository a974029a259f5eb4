import type { AppMiddleware } from '../context.ts';
import { unauthorized } from '../http-error.ts';
import type { VisitorTokens } from '../visitor-token.ts';

/** The session an `Authorization: Bearer <visitor token>` header opens; throws 401 for anything else. */
export async function authenticateVisitor(tokens: VisitorTokens, authorization: string) {
  const match = /^Bearer ([\w.-]+)$/.exec(authorization);
  const visitor = match?.[1] ? await tokens.verify(match[1]) : null;
  if (!visitor) throw unauthorized();
  return visitor;
}

/** Requires `Authorization: Bearer <visitor token>` and puts the token's session on `ctx.state.visitor`. */
export function visitorAuthMiddleware(tokens: VisitorTokens): AppMiddleware {
  return async (ctx, next) => {
    ctx.state.visitor = await authenticateVisitor(tokens, ctx.get('Authorization'));
    await next();
  };
}
