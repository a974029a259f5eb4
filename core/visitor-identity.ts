import { createHmac, timingSafeEqual } from 'node:crypto';
import { Forbidden } from './errors.ts';

/**
 * Identified visitors (`Switchboard.identify({ id, name, email, hash })`): the host site's server computes
 * `hash` = hex HMAC-SHA256 of `id` with the site's IDENTITY_SECRET, so only the site can vouch for an id,
 * and a visitor cannot claim someone else's (and with it their conversation). Compared in constant time.
 */
export type IdentityVerifier = { verify(id: string, hash: string): void };

export function createIdentityVerifier(secret: string | undefined): IdentityVerifier {
  return {
    verify(id, hash) {
      if (!secret) {
        throw new Forbidden(
          'Visitor identification is not enabled on this server (IDENTITY_SECRET is not set)',
        );
      }
      const expected = createHmac('sha256', secret).update(id, 'utf8').digest();
      const given = /^[0-9a-f]{64}$/i.test(hash) ? Buffer.from(hash, 'hex') : Buffer.alloc(0);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new Forbidden(
          'The identity hash does not match: it must be the hex HMAC-SHA256 of id with IDENTITY_SECRET',
        );
      }
    },
  };
}

/** The hash a host site computes for `id` (its server's side of `Switchboard.identify`; also for tests). */
export function identityHash(secret: string, id: string): string {
  return createHmac('sha256', secret).update(id, 'utf8').digest('hex');
}
