import pg from 'pg';
import { config, type Config } from './config.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// BIGINT (int8) as JS number: counts here stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * A pool whose connections see the configured schema and nothing else: its name quoted (PostgreSQL
 * would fold TenantA to tenanta), and no `public` after it, where a table missing from an
 * unmigrated schema would be found in another deployment's. Built-in functions (gen_random_uuid
 * since PostgreSQL 13) live in pg_catalog, which is always searched.
 */
export function createPool(cfg: Config = config(), extra: pg.PoolConfig = {}): Pool {
  const pool = new pg.Pool({
    connectionString: cfg.databaseUrl,
    max: cfg.dbPoolSize,
    connectionTimeoutMillis: cfg.dbConnectionTimeoutMs,
    options: `-c search_path=${ident(cfg.dbSchema)}`,
    application_name: 'matchflow',
    ...extra,
  });
  // An idle client losing its server (a PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  // Nor a checked-out one between two queries (inside a transaction, a COPY loop): pg emits
  // 'error' on the client itself, and without a listener that killed the worker process (found
  // by the chaos suite). Its next query fails instead, and the pool drops the broken client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function withClient<T>(p: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await p.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Runs fn in a transaction; rolls back on any error. */
export async function withTransaction<T>(p: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  return withClient(p, async (c) => {
    await c.query('BEGIN');
    try {
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/** Quotes an SQL identifier (schema or table name built from configuration, never from input). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
