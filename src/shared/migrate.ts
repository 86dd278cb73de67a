// Applies the ordered SQL files of migrations/ that the schema has not seen yet, all in one
// transaction under an advisory lock: two `matchflow migrate` at once leave one schema.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ident, withTransaction, type Pool } from './db.ts';
import { PACKAGE_ROOT } from './packageRoot.ts';

export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'migrations');

export interface Migration {
  version: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return Promise.all(files.map(async (f) => {
    const sql = await readFile(`${dir}/${f}`, 'utf8');
    return { version: f.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
  }));
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export interface SchemaState {
  /** the schema has matchflow's migrations table */
  migrated: boolean;
  /** versions of migrations/ not applied to it yet (none known when the role may not read the table) */
  pending: string[];
}

/**
 * What `matchflow migrate` would still have to apply to `schema`. The least-privileged worker role
 * may not read schema_migrations: for it, only whether the schema was migrated at all is known.
 */
export async function schemaState(pool: Pool, schema: string, dir = MIGRATIONS_DIR): Promise<SchemaState> {
  const versions = (await readMigrations(dir)).map((m) => m.version);
  const table = `${ident(schema)}.schema_migrations`;
  const { rows: [found] } = await pool.query<{ t: string | null; readable: boolean | null }>(
    "SELECT to_regclass($1)::text AS t, CASE WHEN to_regclass($1) IS NOT NULL THEN has_table_privilege(to_regclass($1), 'SELECT') END AS readable",
    [table]);
  if (!found.t) return { migrated: false, pending: versions };
  if (!found.readable) return { migrated: true, pending: [] };
  const { rows } = await pool.query<{ version: string }>(`SELECT version FROM ${table}`);
  const applied = new Set(rows.map((r) => r.version));
  return { migrated: true, pending: versions.filter((v) => !applied.has(v)) };
}

/** gen_random_uuid(), which the tables' defaults call, is built into PostgreSQL from 13 on. */
const MIN_SERVER_VERSION = 130000;

export async function migrate(pool: Pool, schema: string, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  return withTransaction(pool, async (c) => {
    const { rows: [server] } = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    if (Number(server.v) < MIN_SERVER_VERSION) throw new Error(`matchflow needs PostgreSQL 13 or later (this server: ${server.v})`);
    // Serialize concurrent runs on this schema; the lock ends with the transaction.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`matchflow-migrate:${schema}`]);
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    await c.query(`SET LOCAL search_path TO ${ident(schema)}`);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await c.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const seen = new Map(rows.map((r) => [r.version, r.checksum]));
    const applied: string[] = [];
    const alreadyApplied: string[] = [];
    for (const m of migrations) {
      const prior = seen.get(m.version);
      if (prior !== undefined) {
        if (prior !== m.checksum) throw new Error(`migration ${m.version} was changed after it was applied (checksum differs)`);
        alreadyApplied.push(m.version);
        continue;
      }
      try {
        await c.query(m.sql);
      } catch (err) {
        throw new Error(`migration ${m.version} failed: ${(err as Error).message}`, { cause: err });
      }
      await c.query('INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)', [m.version, m.checksum]);
      applied.push(m.version);
    }
    return { applied, alreadyApplied };
  });
}
