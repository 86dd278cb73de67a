import { parseArgs } from 'node:util';
import { config, type Config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import type { GroupRow } from '../groups/catalog.ts';
import { findGroup } from './findGroup.ts';
import { checkServices } from './preflight.ts';
import { readBreaker } from '../shared/circuitBreakerStore.ts';
import { createRedis } from '../shared/redis.ts';
import { potentialStage } from './runPotential.ts';
import { perfectStage } from './runPerfect.ts';
import type { RunStage } from './runStage.ts';
import { EXIT, UsageError, type Command } from './command.ts';

export const RUN_STAGES: Record<string, RunStage> = {
  potential: potentialStage,
  perfect: perfectStage,
};

export const runCommand: Command = {
  name: 'run',
  get help() {
    return `Usage: matchflow run <stage> --group G [--domain D] [--wait] [--force] [--dry-run]

Stages:
${Object.entries(RUN_STAGES).map(([k, s]) => `  ${k.padEnd(10)} ${s.describe}`).join('\n')}

Options:
  --group G    group id, or name (then --domain is needed unless the name is unique)
  --domain D   domain id or name
  --wait       wait for the stage to finish, with a progress bar; exit 1 if it failed (while no
               worker serves the stage's queue, it says so and waits for one)
  --force      run even if nothing changed since the last run (potential: full recompute)
  --dry-run    compute everything and write nothing (no matches, no last run, no processed
               flags, no cursor): print the counts, a score summary and a sample of what would be
               written. potential runs in this process; perfect is run by a perfect worker.

The scheduler skips a group whose circuit breaker is open (CIRCUIT_BREAKER_*); a manual run goes
ahead as the operator's trial, with a warning.

Exit codes: 0 started (with --wait: completed, or nothing to do), 1 the stage failed,
2 usage error (unknown stage or group), 3 PostgreSQL or Redis unreachable.`;
  },
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        group: { type: 'string' }, domain: { type: 'string' }, wait: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false },
      },
    });
    const stage = RUN_STAGES[positionals[0] ?? ''];
    if (!stage) throw new UsageError(`name a stage: ${Object.keys(RUN_STAGES).join(', ')}`);
    if (!values.group) throw new UsageError('--group is required');
    const cfg = config();
    if (!(await checkServices(cfg))) return EXIT.unavailable;
    const pool = createPool(cfg, { max: 2 });
    try {
      const group = await findGroup(pool, values.group, values.domain);
      if (values['dry-run']) return await stage.dryRun(cfg, pool, group, { force: values.force! });
      await warnIfBreakerOpen(cfg, group);
      return await stage.start(cfg, pool, group, { wait: values.wait!, force: values.force! });
    } finally {
      await pool.end();
    }
  },
};

/**
 * The scheduler skips a group whose circuit breaker is open; a manual run is the operator's own
 * trial and goes ahead (its success closes the breaker), but says so.
 */
async function warnIfBreakerOpen(cfg: Config, group: GroupRow): Promise<void> {
  const redis = createRedis(cfg);
  try {
    const b = await readBreaker(redis, cfg, group.id);
    if (b.status === 'open') {
      process.stderr.write(`warning: the circuit breaker of group ${group.name} is open (${b.consecutiveFailures} consecutive failed cycles; `
        + `the scheduler skips it until ${new Date(b.reopensAt!).toISOString()}); running anyway as a manual trial\n`);
    }
  } finally {
    redis.disconnect();
  }
}
