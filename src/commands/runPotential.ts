// `matchflow run potential --group G [--wait] [--force] [--dry-run]`: starts a cycle of one group now —
// incremental (new nodes against all), or with --force a full recompute — and with --wait
// follows it to the end: exit 0 when it completed or had nothing to do, 1 when it failed.
import { EXIT } from './command.ts';
import { followCycleProgress } from './cycleProgress.ts';
import { progressBar } from './progressBar.ts';
import { warnWithoutWorkers } from './warnWithoutWorkers.ts';
import { QUEUE } from '../shared/queues.ts';
import { closeCycleQueues } from '../potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../potential/startCycle.ts';
import { dryRunPotential } from '../potential/dryRun.ts';
import { formatPotentialDryRun } from './dryRunReport.ts';
import type { RunStage } from './runStage.ts';

export const potentialStage: RunStage = {
  describe: 'start a potential-match cycle (incremental; --force: full recompute)',
  async start(cfg, pool, group, opts) {
    try {
      const cycleId = await startCycle(cfg, group, { incremental: !opts.force });
      process.stdout.write(`started ${opts.force ? 'full' : 'incremental'} potential cycle ${cycleId} for group ${group.name} (${group.id})\n`);
      if (!opts.wait) return EXIT.ok;
      await warnWithoutWorkers(cfg, QUEUE.potential);
      const progress = followCycleProgress(cfg, pool, cycleId, progressBar('potential'));
      let out: Awaited<ReturnType<typeof waitForCycle>> | undefined;
      try {
        out = await waitForCycle(cfg, pool, group.id, cycleId);
      } finally {
        await progress.stop(out?.status === 'COMPLETED');
      }
      if (out.status === 'SKIPPED') {
        process.stdout.write(`skipped: ${out.reason}\n`);
        return EXIT.ok;
      }
      const r = out.lastRun;
      const seconds = r.startedAt && r.finishedAt ? ((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1) : '?';
      process.stdout.write(out.status === 'COMPLETED'
        ? `COMPLETED in ${seconds} s: ${r.nodeCount} new nodes, ${r.edgeCount} potential matches in the group\n`
        : `FAILED after ${seconds} s: ${r.failureReason}\n`);
      return out.status === 'COMPLETED' ? EXIT.ok : EXIT.failed;
    } finally {
      await closeCycleQueues();
    }
  },
  async dryRun(cfg, pool, group, opts) {
    const r = await dryRunPotential(cfg, pool, group, { full: opts.force });
    process.stdout.write(formatPotentialDryRun(r, group));
    return EXIT.ok;
  },
};
