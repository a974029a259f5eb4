import type { AppMiddleware } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { secretMatches } from '../secrets.ts';

/**
 * The operator's routes (`/api/setup/*`, `/api/admin/*`): `Authorization: Bearer $ADMIN_TOKEN`. Without
 * ADMIN_TOKEN they do not exist (404); a missing or wrong token is 401. Compared in constant time.
 */
export function adminAuthMiddleware(adminToken: string | undefined): AppMiddleware {
  return async (ctx, next) => {
    if (!adminToken) throw new HttpError(404, 'not_found', 'Admin routes are disabled (set ADMIN_TOKEN)');
    const presented = /^Bearer (.+)$/.exec(ctx.get('Authorization'))?.[1];
    if (!secretMatches(presented, adminToken)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'Missing or wrong admin token');
    }
    await next();
  };
}
