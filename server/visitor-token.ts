import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

const TOKEN_LIFETIME = '30d';
const claimsSchema = z.object({ session_id: z.uuid(), role: z.literal('visitor') });

export type VisitorTokens = ReturnType<typeof createVisitorTokens>;

/** HS256 JWTs `{ session_id, role, iat, exp }` for widget visitors (DESIGN.md §4). */
export function createVisitorTokens(secret: string) {
  const key = new TextEncoder().encode(secret);
  return {
    sign(sessionId: string): Promise<string> {
      return new SignJWT({ session_id: sessionId, role: 'visitor' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(TOKEN_LIFETIME)
        .sign(key);
    },

    /** The session a token opens, or null for anything forged, expired, of another algorithm or malformed. */
    async verify(token: string): Promise<{ sessionId: string } | null> {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'iat'],
        });
        const claims = claimsSchema.safeParse(payload);
        return claims.success ? { sessionId: claims.data.session_id } : null;
      } catch (error) {
        if (error instanceof errors.JOSEError) return null;
        throw error;
      }
    },
  };
}
