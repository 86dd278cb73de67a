// Readiness: PostgreSQL and Redis answer within a deadline. A probe that hangs (a dead
// connection, an exhausted pool) counts as down instead of hanging the probe.
import type { RedisClient } from '../shared/redis.ts';
import type { Pool } from '../shared/db.ts';

export interface ReadinessDeps {
  pool: Pool;
  redis: RedisClient;
  /** a dependency that takes longer than this counts as down */
  timeoutMs: number;
}

export interface Readiness {
  ready: boolean;
  /** 'ok' or why not, per dependency */
  checks: { postgres: string; redis: string };
}

/** Resolves with `work`, or rejects once `ms` have passed. */
export async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(deps: ReadinessDeps): Promise<Readiness> {
  const probe = async (work: () => Promise<unknown>): Promise<string> => {
    try {
      await within(deps.timeoutMs, work());
      return 'ok';
    } catch (err) {
      return (err as Error).message || String(err);
    }
  };
  const [postgres, redis] = await Promise.all([probe(() => deps.pool.query('SELECT 1')), probe(() => deps.redis.ping())]);
  return { ready: postgres === 'ok' && redis === 'ok', checks: { postgres, redis } };
}
