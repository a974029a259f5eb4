import { createRateLimiter } from './rate-limiter.ts';

/** Typing events are passed on at most this often per typist (a visitor session; an agent on a ticket). */
export const TYPING_EVERY_MS = 2000;

/** Whether a typing call is passed on (`pass(key)`); the others are answered at once and dropped. */
export function createTypingThrottle(everyMs = TYPING_EVERY_MS) {
  const limiter = createRateLimiter({ limit: 1, windowMs: everyMs });
  return { pass: (key: string) => limiter.hit(key) === 0 };
}
