import { parseArgs } from 'node:util';
import { config, type Config } from '../shared/config.ts';
import { createPool, type Pool } from '../shared/db.ts';
import { resolveDomain, resolveGroup, type GroupRow } from '../shared/catalog.ts';
import { checkServices } from '../shared/preflight.ts';
import { readBreaker } from '../shared/circuitBreakerStore.ts';
import { createRedis } from '../shared/redis.ts';
import { openQueue } from '../shared/queue.ts';
import { JOB, QUEUE, jobId } from '../shared/queues.ts';
import { waitForJob } from './waitForJob.ts';
import { potentialRunStage } from '../potential/runStage.ts';
import { dryRunPotential, formatPotentialDryRun } from '../potential/dryRun.ts';
import type { PerfectMatchResult } from '../workers/perfectMatchGroup.ts';
import { EXIT, UsageError, type Command } from './command.ts';

/** Starts one stage of one group now. Each pipeline adds its stage here. */
export interface RunStage {
  describe: string;
  start(cfg: Config, pool: Pool, group: GroupRow, opts: { wait: boolean; force: boolean }): Promise<number>;
  /** --dry-run (seed 004 §12): compute everything, print what would be written, write nothing */
  dryRun(cfg: Config, pool: Pool, group: GroupRow, opts: { force: boolean }): Promise<number>;
}

const perfectStage: RunStage = {
  describe: 'enqueue perfect-match-group (runs only if the potential run changed, unless --force)',
  async start(cfg, _pool, group, opts) {
    const queue = openQueue(cfg, QUEUE.perfect);
    try {
      const job = await queue.add(JOB.perfectMatchGroup, { groupId: group.id, domainId: group.domainId, force: opts.force },
        { jobId: jobId('perfect', group.id, 'manual', Date.now()) });
      process.stdout.write(`enqueued ${JOB.perfectMatchGroup} job ${job.id} for group ${group.name} (${group.id})\n`);
      if (!opts.wait) return EXIT.ok;
      const result = await waitForJob<Record<string, unknown>>(cfg, QUEUE.perfect, job, 'perfect');
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return EXIT.ok;
    } catch (err) {
      process.stderr.write(`perfect-match-group failed: ${(err as Error).message}\n`);
      return EXIT.failed;
    } finally {
      await queue.close();
    }
  },
  // Run by a perfect worker like the real job (the same loading, budget and solver thread), with
  // dryRun in its data: it returns the result instead of writing it.
  async dryRun(cfg, _pool, group) {
    const queue = openQueue(cfg, QUEUE.perfect);
    try {
      const job = await queue.add(JOB.perfectMatchGroup, { groupId: group.id, domainId: group.domainId, dryRun: true },
        { jobId: jobId('perfect', group.id, 'dry-run', Date.now()), attempts: 1 });
      process.stderr.write(`enqueued dry-run ${JOB.perfectMatchGroup} job ${job.id} for group ${group.name}; a perfect worker runs it\n`);
      const r = await waitForJob<PerfectMatchResult>(cfg, QUEUE.perfect, job, 'perfect (dry run)');
      process.stdout.write(formatPerfectDryRun(r, group));
      return EXIT.ok;
    } catch (err) {
      process.stderr.write(`perfect-match-group dry run failed: ${(err as Error).message}\n`);
      return EXIT.failed;
    } finally {
      await queue.close();
    }
  },
};

export function formatPerfectDryRun(r: PerfectMatchResult, group: Pick<GroupRow, 'name' | 'id'>): string {
  const lines = [`DRY RUN — nothing was written. Perfect matches of group ${group.name} (${group.id}):`];
  if (r.skipped) return `${lines[0]}\n  would be skipped: ${r.skipped}\n`;
  lines.push(
    `  strategy ${r.strategy}; ${r.nodes} nodes, ${r.edges} potential-match edges read${r.outOfCore ? ` (out of core: ${r.outOfCore})` : ''}`,
    `  pairs it would write    ${r.pairs}  (perfect_matches)`,
    `  total score             ${r.totalScore?.toFixed(3)}${r.pairs ? `  (mean ${(r.totalScore! / r.pairs).toFixed(3)})` : ''}`,
  );
  if (r.sample?.length) {
    lines.push('  best pairs:');
    for (const p of r.sample) lines.push(`    ${p.referenceId} ↔ ${p.matchedReferenceId}  score ${p.score.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

const potentialStage: RunStage = {
  ...potentialRunStage,
  async dryRun(cfg, pool, group, opts) {
    const r = await dryRunPotential(cfg, pool, group, { full: opts.force });
    process.stdout.write(formatPotentialDryRun(r, group));
    return EXIT.ok;
  },
};

export const RUN_STAGES: Record<string, RunStage> = {
  potential: potentialStage,
  perfect: perfectStage,
};

export const runCommand: Command = {
  name: 'run',
  summary: 'start a stage for one group now (potential, perfect), optionally waiting for it',
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

async function findGroup(pool: Pool, group: string, domain?: string): Promise<GroupRow> {
  if (domain) {
    const domainId = await resolveDomain(pool, domain);
    if (!domainId) throw new UsageError(`no domain '${domain}'`);
    const g = await resolveGroup(pool, domainId, group);
    if (!g) throw new UsageError(`no group '${group}' in domain '${domain}'`);
    return g;
  }
  const { rows } = await pool.query(
    'SELECT id, domain_id, name, match_type FROM matching_groups WHERE id::text = $1 OR name = $1', [group]);
  if (rows.length === 0) throw new UsageError(`no group '${group}'`);
  if (rows.length > 1) throw new UsageError(`group name '${group}' is in several domains: add --domain`);
  return { id: rows[0].id, domainId: rows[0].domain_id, name: rows[0].name, matchType: rows[0].match_type };
}
