import type { HitLimiter } from '../middleware/rate-limit.ts';
import type { BucketRule, LimitStore, Release } from './limit-store.ts';

/** Places of something open (uploads, streams) per key: null when all are taken. */
export type PlaceLimiter = { acquire(key: string): Promise<Release | null> };

/** The visitor limits the routes enforce, wherever they live (one store for all). */
export type VisitorLimits = {
  /** Visitor messages (and edits, deletions, reactions, uploads) per session. */
  messages: HitLimiter;
  /** New sessions per client address. */
  sessions: HitLimiter;
  /** Page changes per session. */
  context: HitLimiter;
  /** Identification attempts per session. */
  identify: HitLimiter;
  uploadsPerSession: PlaceLimiter;
  uploadsPerIp: PlaceLimiter;
  /** Event streams per client address. */
  streamsPerIp: PlaceLimiter;
};

export type VisitorLimitsConfig = {
  rateLimit: { messages: number; windowSeconds: number; sessions: number; sessionsWindowSeconds: number };
  uploads: { perSession: number; perIp: number };
  eventStreams: { perIp: number };
};

/**
 * Page changes per session: a burst of 30 (a visitor clicking through a site), then one every 2 s; the
 * widget sends at most one a second. Identification: a burst of 5, then one a minute.
 */
const CONTEXT_UPDATES = { name: 'context', capacity: 30, refillPerSecond: 0.5 };
const IDENTIFY_ATTEMPTS = { name: 'identify', capacity: 5, refillPerSecond: 1 / 60 };

/**
 * Every limit is a token bucket (a burst of the limit, refilled at the limit per window) or a cap of
 * places, so that each store keeps one kind of row for each, and every setup limits alike.
 */
export function visitorLimits(store: LimitStore, config: VisitorLimitsConfig): VisitorLimits {
  const bucket = (rule: BucketRule): HitLimiter => ({ hit: (key) => store.take(rule, key) });
  const cap = (name: string, limit: number): PlaceLimiter => ({
    acquire: (key) => store.acquire(name, key, limit),
  });
  const { rateLimit } = config;
  return {
    messages: bucket({
      name: 'messages',
      capacity: rateLimit.messages,
      refillPerSecond: rateLimit.messages / rateLimit.windowSeconds,
    }),
    sessions: bucket({
      name: 'sessions',
      capacity: rateLimit.sessions,
      refillPerSecond: rateLimit.sessions / rateLimit.sessionsWindowSeconds,
    }),
    context: bucket(CONTEXT_UPDATES),
    identify: bucket(IDENTIFY_ATTEMPTS),
    uploadsPerSession: cap('uploads-session', config.uploads.perSession),
    uploadsPerIp: cap('uploads-ip', config.uploads.perIp),
    streamsPerIp: cap('streams-ip', config.eventStreams.perIp),
  };
}
