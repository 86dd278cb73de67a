import { parseArgs } from 'node:util';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { config, type Config } from '../shared/config.ts';
import { createPool, type Pool } from '../shared/db.ts';
import { setDefaultLogLevel } from '../shared/logger.ts';
import { migrate } from '../shared/migrate.ts';
import { checkServices } from './preflight.ts';
import { createDemoDomain } from './demo/demoDomain.ts';
import { demoStages } from './demo/stages.ts';
import { printSummary } from './demo/summary.ts';
import type { DemoContext } from './demo/stage.ts';
import { EXIT, type Command } from './command.ts';

export const demoCommand: Command = {
  name: 'demo',
  help: `Usage: matchflow demo [--nodes N] [--seed S] [--verbose]

Checks PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), migrates DB_SCHEMA, creates the domain
"demo-mentoring" with a symmetric group (peer-circles) and a bipartite group (mentor-mentee,
MENTOR × MENTEE), generates N synthetic people per group (default 2000) and runs every pipeline
stage through real BullMQ workers in this process. Prints per group: nodes, potential matches,
perfect matches and time, then a sample of matches with their scores.

Logs (JSON lines on stderr) show warnings and errors only, unless --verbose or LOG_LEVEL says
otherwise.

Options:
  --nodes N   people per group (default 2000)
  --seed S    generator seed (default 42)
  --verbose   log at info (the workers' job lines), as the other commands do
Exit codes: 0 done, 1 a stage failed, 3 PostgreSQL or Redis unreachable.`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { nodes: { type: 'string', default: '2000' }, seed: { type: 'string', default: '42' }, verbose: { type: 'boolean', default: false } },
    });
    setDefaultLogLevel(values.verbose ? 'info' : 'warn');
    const nodesPerGroup = Number(values.nodes);
    const seed = Number(values.seed);
    const cfg = config();
    if (!(await checkServices(cfg, { schema: false }))) return EXIT.unavailable;
    const pool = createPool(cfg);
    try {
      await runDemo(cfg, pool, { nodesPerGroup, seed });
      return EXIT.ok;
    } finally {
      await pool.end();
    }
  },
};

/** The whole demo on `cfg`'s schema and queue prefix, in this process; returns its context. */
export async function runDemo(
  cfg: Config,
  pool: Pool,
  opts: { nodesPerGroup: number; seed: number },
  out: NodeJS.WritableStream = process.stdout,
): Promise<DemoContext> {
  const started = Date.now();
  const m = await migrate(pool, cfg.dbSchema);
  out.write(`migrated schema ${cfg.dbSchema} (${m.applied.length} new migrations)\n`);
  const domain = await createDemoDomain(pool, opts);
  const workDir = join(cfg.importRoot, 'demo');
  await mkdir(workDir, { recursive: true });
  const ctx: DemoContext = { cfg, pool, domain, workDir, timings: new Map() };
  for (const stage of demoStages()) {
    const t0 = Date.now();
    out.write(`▶ ${stage.name} … `);
    await stage.run(ctx);
    out.write(`done in ${((Date.now() - t0) / 1000).toFixed(2)} s\n`);
  }
  await printSummary(ctx, out);
  out.write(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return ctx;
}
