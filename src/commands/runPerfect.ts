// `matchflow run perfect --group G [--wait] [--force] [--dry-run]`: enqueues the group's
// perfect-match-group job now and, with --wait, follows it to the end.
import { openQueue } from '../shared/queue.ts';
import { JOB, QUEUE } from '../shared/queues.ts';
import { enqueuePerfectMatch } from '../perfect/perfectJobs.ts';
import type { PerfectMatchResult } from '../perfect/perfectMatchGroup.ts';
import { EXIT } from './command.ts';
import { formatPerfectDryRun } from './dryRunReport.ts';
import type { RunStage } from './runStage.ts';
import { waitForJob } from './waitForJob.ts';

export const perfectStage: RunStage = {
  describe: 'enqueue perfect-match-group (runs only if the potential run changed, unless --force)',
  async start(cfg, _pool, group, opts) {
    const queue = openQueue(cfg, QUEUE.perfect);
    try {
      const job = await enqueuePerfectMatch(queue, group, { manual: 'run', force: opts.force });
      process.stdout.write(`enqueued ${JOB.perfectMatchGroup} job ${job.id} for group ${group.name} (${group.id})\n`);
      if (!opts.wait) return EXIT.ok;
      const result = await waitForJob<Record<string, unknown>>(cfg, QUEUE.perfect, job.id!, 'perfect');
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
      const job = await enqueuePerfectMatch(queue, group, { manual: 'dry-run' });
      process.stderr.write(`enqueued dry-run ${JOB.perfectMatchGroup} job ${job.id} for group ${group.name}; a perfect worker runs it\n`);
      const r = await waitForJob<PerfectMatchResult>(cfg, QUEUE.perfect, job.id!, 'perfect (dry run)');
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
