// Checks that PostgreSQL and Redis answer, and says which one does not, where it looked, and
// how to start it.
import pg from 'pg';
import type { Config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import { schemaState } from '../shared/migrate.ts';
import { createRedis, describeRedis, redisTopology, type RedisTarget } from '../shared/redis.ts';
import { CommandFailure } from './command.ts';

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

export async function pingRedis(target: RedisTarget): Promise<string | null> {
  const redis = createRedis(target, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
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

/**
 * Refuses to go on against a schema that `matchflow migrate` has not brought up to date: its
 * tables would be missing, or lack what this version of the code reads and writes.
 */
async function checkSchema(cfg: Config): Promise<void> {
  const pool = createPool(cfg, { max: 1 });
  try {
    const s = await schemaState(pool, cfg.dbSchema);
    if (!s.migrated) {
      throw new CommandFailure(`schema "${cfg.dbSchema}" (DB_SCHEMA) is not migrated: run \`matchflow migrate\` with the same DB_SCHEMA first`);
    }
    if (s.pending.length) {
      throw new CommandFailure(`schema "${cfg.dbSchema}" (DB_SCHEMA) lacks ${s.pending.length} migration(s) of this version `
        + `(${s.pending.join(', ')}): run \`matchflow migrate\` first`);
    }
  } finally {
    await pool.end();
  }
}

/**
 * Prints what is missing to stderr; true when every requested service answers. Unless `schema`
 * is false (migrate, demo: they migrate it), a reachable PostgreSQL must also hold a migrated
 * DB_SCHEMA, or this throws CommandFailure.
 */
export async function checkServices(cfg: Config, want: { postgres?: boolean; redis?: boolean; schema?: boolean } = {}): Promise<boolean> {
  const problems: string[] = [];
  if (want.postgres !== false) {
    const err = await pingPostgres(cfg.databaseUrl);
    if (err) problems.push(`PostgreSQL is not reachable at ${where(cfg.databaseUrl)} (DATABASE_URL): ${err}\n` +
      '  start it, for example: pg_ctlcluster 15 main start, or docker compose up -d postgres');
  }
  if (want.redis !== false) {
    const err = await pingRedis(cfg);
    if (err) problems.push(`Redis is not reachable at ${describeRedis(cfg)}: ${err}\n` + (redisTopology(cfg) === 'single'
      ? '  start it, for example: redis-server --daemonize yes, or docker compose up -d redis'
      : '  check that the nodes listed are up and reachable from here (docs/scaling-out.md)'));
  }
  for (const p of problems) process.stderr.write(`matchflow: ${p}\n`);
  if (problems.length) return false;
  if (want.postgres !== false && want.schema !== false) await checkSchema(cfg);
  return true;
}
