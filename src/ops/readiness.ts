// Readiness: PostgreSQL and Redis answer within a deadline. A probe that hangs (a dead
// connection, an exhausted pool) counts as down instead of hanging the probe.
import type { RedisClient } from '../shared/redis.ts';
import type { Pool } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';

export interface ReadinessDeps {
  pool: Pool;
  redis: RedisClient;
  /** a dependency that takes longer than this counts as down */
  timeoutMs: number;
}

export type CheckState = 'ok' | 'down';

interface Readiness {
  ready: boolean;
  /** per dependency: all that a caller without a login learns */
  checks: { postgres: CheckState; redis: CheckState };
  /** why a dependency is down (error text naming hosts, users, ports): for the log only */
  problems: { postgres?: string; redis?: string };
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

async function readiness(deps: ReadinessDeps): Promise<Readiness> {
  const probe = async (work: () => Promise<unknown>): Promise<string | null> => {
    try {
      await within(deps.timeoutMs, work());
      return null;
    } catch (err) {
      return (err as Error).message || String(err);
    }
  };
  const [postgres, redis] = await Promise.all([probe(() => deps.pool.query('SELECT 1')), probe(() => deps.redis.ping())]);
  return {
    ready: postgres === null && redis === null,
    checks: { postgres: postgres === null ? 'ok' : 'down', redis: redis === null ? 'ok' : 'down' },
    problems: { ...(postgres === null ? {} : { postgres }), ...(redis === null ? {} : { redis }) },
  };
}

/** The /readyz answer (status and body), the reasons of a dependency that is down going to `log`. */
export async function readinessAnswer(deps: ReadinessDeps, log: Pick<Logger, 'warn'>): Promise<{ status: number; body: object }> {
  const r = await readiness(deps);
  if (!r.ready) log.warn({ problems: r.problems }, 'not ready');
  return { status: r.ready ? 200 : 503, body: { status: r.ready ? 'ready' : 'not ready', checks: r.checks } };
}
