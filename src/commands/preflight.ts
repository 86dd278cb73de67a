// Checks that PostgreSQL and Redis answer, and says which one does not, where it looked, and
// how to start it.
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Config } from '../shared/config.ts';

function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
  } catch {
    return '(unparsable URL)';
  }
}

export async function pingPostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function pingRedis(url: string): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    redis.disconnect();
  }
}

/** Prints what is missing to stderr; true when every requested service answers. */
export async function checkServices(cfg: Config, want: { postgres?: boolean; redis?: boolean } = {}): Promise<boolean> {
  const problems: string[] = [];
  if (want.postgres !== false) {
    const err = await pingPostgres(cfg.databaseUrl);
    if (err) problems.push(`PostgreSQL is not reachable at ${where(cfg.databaseUrl)} (DATABASE_URL): ${err}\n` +
      '  start it, for example: pg_ctlcluster 15 main start, or docker compose up -d postgres');
  }
  if (want.redis !== false) {
    const err = await pingRedis(cfg.redisUrl);
    if (err) problems.push(`Redis is not reachable at ${where(cfg.redisUrl)} (REDIS_URL): ${err}\n` +
      '  start it, for example: redis-server --daemonize yes, or docker compose up -d redis');
  }
  for (const p of problems) process.stderr.write(`matchflow: ${p}\n`);
  return problems.length === 0;
}
