// The database roles of a deployment, created and granted by `matchflow migrate` (which runs as
// the schema owner): a worker role, for workers and producers, with only the row privileges their
// jobs use, and a dashboard role that may only read what the ops page shows. Both are per schema
// by default (<schema>_worker, <schema>_dashboard) or named by settings, log in only with the
// password of their setting (a role without one is not created), and are granted on this schema
// only. Every migrate sets their grants afresh from the tables below: a table that is in neither
// list fails the migrate, so that a new table cannot go unnoticed.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ConfigError, type Config } from './config.ts';
import { ident, withTransaction, type Pool, type PoolClient } from './db.ts';

type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * What jobs and producers do with each table's rows. UPDATE is there for UPDATE statements, for
 * INSERT … ON CONFLICT DO UPDATE, and for row locks (FOR SHARE, FOR KEY SHARE, FOR UPDATE); SELECT
 * for any INSERT … ON CONFLICT. No
 * TRUNCATE anywhere: the one table imports truncate (import_staging) is a temporary table of the
 * import's own session.
 */
export const WORKER_PRIVILEGES: Readonly<Record<string, readonly Privilege[]>> = {
  domains: ['SELECT', 'INSERT', 'UPDATE'],
  matching_groups: ['SELECT', 'INSERT', 'UPDATE'],
  matching_algorithms: ['SELECT'],
  matching_configuration: ['SELECT', 'INSERT', 'UPDATE'],
  nodes: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  nodes_import_job: ['SELECT', 'INSERT', 'UPDATE'],
  nodes_import_failed_row: ['SELECT', 'INSERT', 'DELETE'],
  nodes_cursor: ['SELECT', 'INSERT', 'UPDATE'],
  potential_matches: ['SELECT', 'INSERT', 'DELETE'],
  potential_match_lists: ['SELECT', 'INSERT', 'DELETE'],
  last_run_potential_matches: ['SELECT', 'INSERT', 'UPDATE'],
  // SELECT: ON CONFLICT reads the columns of its conflict target
  match_participation_history: ['SELECT', 'INSERT'],
  perfect_matches: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  last_run_perfect_matches: ['SELECT', 'INSERT', 'UPDATE'],
  potential_cycles: ['SELECT', 'INSERT', 'UPDATE'],
  potential_cycle_pages: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  fencing_tokens: ['SELECT', 'INSERT', 'UPDATE'],
};

/** What the ops page reads; the dashboard role may read nothing else (no nodes, no metadata). */
export const DASHBOARD_TABLES: readonly string[] = [
  'domains', 'matching_groups', 'last_run_potential_matches', 'last_run_perfect_matches', 'potential_matches',
];

/** Tables no role but the owner touches. */
const OWNER_ONLY = new Set(['schema_migrations']);

export interface DbRole {
  name: string;
  /** empty: the role is not created (and an existing one is not changed) */
  password: string;
}

export interface DbRoles {
  worker: DbRole;
  dashboard: DbRole;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The role names and passwords of the settings; names default to <DB_SCHEMA>_worker and <DB_SCHEMA>_dashboard. */
export function dbRoles(cfg: Config): DbRoles {
  const name = (setting: string, env: string, suffix: string): string => {
    const n = setting || `${cfg.dbSchema}_${suffix}`;
    if (!IDENTIFIER.test(n)) throw new ConfigError(`${env}=${n}: a role name is a plain identifier of at most 63 characters`);
    return n;
  };
  const worker = name(cfg.dbWorkerRole, 'DB_WORKER_ROLE', 'worker');
  const dashboard = name(cfg.dbDashboardRole, 'DB_DASHBOARD_ROLE', 'dashboard');
  if (worker === dashboard) throw new ConfigError(`DB_WORKER_ROLE and DB_DASHBOARD_ROLE are both ${worker}: they must differ`);
  return { worker: { name: worker, password: cfg.dbWorkerPassword }, dashboard: { name: dashboard, password: cfg.dbDashboardPassword } };
}

// SASLprep as PostgreSQL and node-postgres apply it before hashing (the steps that change bytes).
function saslprep(password: string): string {
  return password.replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '').normalize('NFKC');
}

/**
 * A SCRAM-SHA-256 verifier of `password`, as PostgreSQL stores it. ALTER ROLE … PASSWORD takes it
 * in place of the password, so the password itself never reaches the server (nor its statement log).
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface RoleReport {
  /** roles created or updated, with the grants of this schema */
  applied: string[];
  /** roles left alone because their password setting is empty */
  skipped: string[];
}

async function upsertRole(c: PoolClient, role: DbRole): Promise<void> {
  const { rows } = await c.query<{ owner: boolean; superuser: boolean }>(
    `SELECT rolname = current_user AS owner, rolsuper AS superuser FROM pg_roles WHERE rolname = $1`, [role.name]);
  if (rows[0]?.owner || rows[0]?.superuser) {
    throw new Error(`role ${role.name} is the schema owner or a superuser: the worker and dashboard roles must be roles of their own`);
  }
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${scramVerifier(role.password)}'`;
  await c.query(`${rows[0] ? 'ALTER' : 'CREATE'} ROLE ${ident(role.name)} ${attributes}`);
}

/** Grants `role` exactly `grants` (table → privileges) in `schema`, after taking back whatever it had there. */
async function setGrants(c: PoolClient, schema: string, role: string, grants: Array<[string, readonly string[]]>, sequences: boolean): Promise<void> {
  const s = ident(schema);
  const r = ident(role);
  await c.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${r}`);
  await c.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${r}`);
  await c.query(`REVOKE CREATE ON SCHEMA ${s} FROM ${r}`);
  await c.query(`GRANT USAGE ON SCHEMA ${s} TO ${r}`);
  for (const [table, privileges] of grants) await c.query(`GRANT ${privileges.join(', ')} ON ${s}.${ident(table)} TO ${r}`);
  if (sequences) await c.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`);
}

/** Creates or updates the roles whose password is set and gives them the grants of `schema`. */
export async function applyRoles(pool: Pool, schema: string, roles: DbRoles): Promise<RoleReport> {
  return withTransaction(pool, async (c) => {
    // roles are cluster-wide: one migrate at a time creates them
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['matchflow-roles']);
    const { rows } = await c.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [schema]);
    const unknown = rows.map((r) => r.table_name).filter((t) => !OWNER_ONLY.has(t) && !Object.hasOwn(WORKER_PRIVILEGES, t));
    if (unknown.length) {
      throw new Error(`table ${unknown.join(', ')} of schema ${schema} has no privileges in src/shared/dbRoles.ts: add it to WORKER_PRIVILEGES`);
    }
    const report: RoleReport = { applied: [], skipped: [] };
    for (const [role, grants, sequences] of [
      [roles.worker, Object.entries(WORKER_PRIVILEGES), true],
      [roles.dashboard, DASHBOARD_TABLES.map((t) => [t, ['SELECT']]), false],
    ] as Array<[DbRole, Array<[string, readonly string[]]>, boolean]>) {
      if (!role.password) {
        report.skipped.push(role.name);
        continue;
      }
      await upsertRole(c, role);
      await setGrants(c, schema, role.name, grants, sequences);
      report.applied.push(role.name);
    }
    return report;
  });
}
