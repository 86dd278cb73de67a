// Per-test isolation on the real servers: a fresh PostgreSQL schema and a Redis key prefix,
// both removed by cleanup().
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/shared/config.ts';
import { createPool, ident, type Pool } from '../../src/shared/db.ts';
import { migrate } from '../../src/shared/migrate.ts';
import { createRedis, scanKeys, type RedisTarget } from '../../src/shared/redis.ts';

export interface TestEnv {
  cfg: Config;
  pool: Pool;
  schema: string;
  /** the Redis key prefix in use (cfg.queuePrefix: braced on a Redis Cluster) */
  prefix: string;
  /** environment variables that make a child process use this schema and prefix */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export function uniqueName(tag: string): string {
  return `t_${tag}_${randomBytes(4).toString('hex')}`;
}

/** `env`: extra settings for the test and its child processes (REDIS_CLUSTER_NODES, …). */
export async function createTestEnv(tag = 'mf', opts: { migrate?: boolean; overrides?: Partial<Config>; env?: NodeJS.ProcessEnv } = {}): Promise<TestEnv> {
  const schema = uniqueName(tag);
  const env = { ...process.env, ...opts.env, DB_SCHEMA: schema, QUEUE_PREFIX: `mft-${schema}`, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
  const cfg = loadConfig(env, opts.overrides);
  const prefix = cfg.queuePrefix;
  const pool = createPool(cfg, { max: 10 });
  if (opts.migrate !== false) await migrate(pool, schema);
  return {
    cfg, pool, schema, prefix, env,
    async cleanup() {
      await pool.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).catch(() => undefined);
      await pool.end();
      await deleteRedisPrefix(cfg.queuePrefix, cfg);
    },
  };
}

export async function deleteRedisPrefix(prefix: string, target: RedisTarget): Promise<void> {
  const redis = createRedis(target);
  try {
    // one key at a time: on a cluster, keys of other prefixes may sit in other slots
    for await (const keys of scanKeys(redis, `${prefix}:*`, 1000)) await Promise.all(keys.map((k) => redis.unlink(k)));
  } finally {
    redis.disconnect();
  }
}
