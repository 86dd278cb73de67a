import { config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import { migrate } from '../shared/migrate.ts';
import { checkServices } from './preflight.ts';
import { EXIT, type Command } from './command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  help: `Usage: matchflow migrate

Applies the SQL files of migrations/ that the schema (DB_SCHEMA, default public) has not seen,
in one transaction under an advisory lock; safe to run twice or from several processes at once.
Exit codes: 0 done, 1 a migration failed, 3 PostgreSQL unreachable.`,
  async run() {
    const cfg = config();
    if (!(await checkServices(cfg, { redis: false, schema: false }))) return EXIT.unavailable;
    const pool = createPool(cfg, { max: 1 });
    try {
      const r = await migrate(pool, cfg.dbSchema);
      process.stdout.write(`schema ${cfg.dbSchema}: applied ${r.applied.length} (${r.applied.join(', ') || 'none'}), ` +
        `${r.alreadyApplied.length} already applied\n`);
      return EXIT.ok;
    } finally {
      await pool.end();
    }
  },
};
