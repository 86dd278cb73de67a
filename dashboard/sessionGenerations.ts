// Logging out ends a session for good: every session cookie names the generation of its user's
// sessions, a counter in Redis that logout increments, so that a cookie copied before the logout
// (or still held by another browser of the same user) no longer opens anything.
import type { Config } from '../src/shared/config.ts';
import { prefixedKey, type RedisClient } from '../src/shared/redis.ts';

export interface SessionGenerations {
  /** the user's current generation (0 before the first logout) */
  current(name: string): Promise<number>;
  /** ends every session of the user */
  bump(name: string): Promise<void>;
}

export function sessionGenerations(cfg: Config, redis: RedisClient): SessionGenerations {
  const key = (name: string) => prefixedKey(cfg.queuePrefix, 'dashboard', 'session-generation', name);
  return {
    async current(name) {
      return Number((await redis.get(key(name))) ?? 0);
    },
    async bump(name) {
      await redis.incr(key(name));
    },
  };
}
