import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

const TOKEN_LIFETIME = '30d';
const claimsSchema = z.object({ session_id: z.uuid(), role: z.literal('visitor') });
/**
 * Tokens verified lately, remembered until they expire: a visitor's requests repeat one token, and
 * checking its signature (Web Crypto) cost more CPU than the rest of storing a message. Only tokens that
 * passed the full check are remembered, by their whole text (signature included); the oldest go first.
 */
const VERIFIED_TOKENS = 10_000;

export type VisitorTokens = ReturnType<typeof createVisitorTokens>;

/** HS256 JWTs `{ session_id, role, iat, exp }` for widget visitors (DESIGN.md §4). */
export function createVisitorTokens(
  secret: string,
  { now = Date.now, remembered = VERIFIED_TOKENS }: { now?: () => number; remembered?: number } = {},
) {
  // Imported once: given raw bytes, jose imports a key on every call.
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const verified = new Map<string, { sessionId: string; expiresAtMs: number }>();

  return {
    async sign(sessionId: string): Promise<string> {
      return new SignJWT({ session_id: sessionId, role: 'visitor' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(TOKEN_LIFETIME)
        .sign(await key);
    },

    /** The session a token opens, or null for anything forged, expired, of another algorithm or malformed. */
    async verify(token: string): Promise<{ sessionId: string } | null> {
      const known = verified.get(token);
      if (known && now() < known.expiresAtMs) return { sessionId: known.sessionId };
      if (known) verified.delete(token);
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'iat'],
          currentDate: new Date(now()),
        });
        const claims = claimsSchema.safeParse(payload);
        if (!claims.success) return null;
        if (verified.size >= remembered) verified.delete(verified.keys().next().value as string);
        // jose accepts a token while its exp (whole seconds) is after the current second.
        verified.set(token, {
          sessionId: claims.data.session_id,
          expiresAtMs: (payload.exp as number) * 1000,
        });
        return { sessionId: claims.data.session_id };
      } catch (error) {
        if (error instanceof errors.JOSEError) return null;
        throw error;
      }
    },
  };
}
