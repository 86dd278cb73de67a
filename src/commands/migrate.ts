import { config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import { migrate } from '../shared/migrate.ts';
import { applyRoles, dbRoles } from '../shared/dbRoles.ts';
import { checkServices } from './preflight.ts';
import { EXIT, type Command } from './command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  help: `Usage: matchflow migrate

Applies the SQL files of migrations/ that the schema (DB_SCHEMA, default public) has not seen,
in one transaction under an advisory lock; safe to run twice or from several processes at once.
Run it as the schema owner. Then it creates or updates the roles whose password is set, and
grants them this schema afresh:
  DB_WORKER_ROLE (default <schema>_worker; password DB_WORKER_PASSWORD): workers and producers,
      the row privileges their jobs use; no DDL, no TRUNCATE
  DB_DASHBOARD_ROLE (default <schema>_dashboard; password DB_DASHBOARD_PASSWORD): the dashboard,
      SELECT on the tables of the ops page
Exit codes: 0 done, 1 a migration failed, 2 bad configuration, 3 PostgreSQL unreachable.`,
  async run() {
    const cfg = config();
    const roles = dbRoles(cfg);
    if (!(await checkServices(cfg, { redis: false, schema: false }))) return EXIT.unavailable;
    const pool = createPool(cfg, { max: 1 });
    try {
      const r = await migrate(pool, cfg.dbSchema);
      process.stdout.write(`schema ${cfg.dbSchema}: applied ${r.applied.length} (${r.applied.join(', ') || 'none'}), ` +
        `${r.alreadyApplied.length} already applied\n`);
      const granted = await applyRoles(pool, cfg.dbSchema, roles);
      for (const name of granted.applied) process.stdout.write(`role ${name}: granted on schema ${cfg.dbSchema}\n`);
      for (const name of granted.skipped) {
        const setting = name === roles.worker.name ? 'DB_WORKER_PASSWORD' : 'DB_DASHBOARD_PASSWORD';
        process.stdout.write(`role ${name}: not created or changed (${setting} is empty)\n`);
      }
      return EXIT.ok;
    } finally {
      await pool.end();
    }
  },
};
