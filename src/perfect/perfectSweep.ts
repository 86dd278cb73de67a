// The perfect-match sweep (PERFECT_CRON, run by the producer's leader): every group whose perfect
// result lags its last completed potential run gets that run's perfect-match-group job, through
// the one job id per cycle (perfectJobs.ts). So a sweep never runs a cycle that its finalize
// already enqueued (or ran) again; it adds the runs that were never enqueued (the after-cycle
// trigger is off, or its enqueue was lost) and retries the ones that failed for good.
import type { Queue } from 'bullmq';
import type { Pool } from '../shared/db.ts';
import { groupsDueForPerfect } from './lastRuns.ts';
import { enqueuePerfectRun, type EnqueueOutcome } from './perfectJobs.ts';

export type SweepResult = Record<EnqueueOutcome, string[]>;

/** Enqueues (or retries) the perfect run of every group that needs one; returns the groups by outcome. */
export async function sweepPerfectRuns(pool: Pool, queue: Queue): Promise<SweepResult> {
  const out: SweepResult = { added: [], retried: [], present: [] };
  for (const g of await groupsDueForPerfect(pool)) {
    const { outcome } = await enqueuePerfectRun(queue, g, { potentialCycleId: g.potentialCycleId, retryFailed: true });
    out[outcome].push(g.id);
  }
  return out;
}
