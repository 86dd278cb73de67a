// What every job of a potential-match cycle does around its own work: find the cycle, keep its
// group lock and domain permit alive while running, and when the job fails for good (last
// attempt, or an unrecoverable error) end the cycle: last run FAILED with the reason, staging
// cleaned, holds released. The flow's failParentOnFailure then fails the parents, which run no
// code of their own — so the failing child does the bookkeeping.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { recordGroupFailure } from '../shared/circuitBreakerStore.ts';
import { coordinationContext } from '../shared/coordination/context.ts';
import { withTransaction, type PoolClient } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import type { CycleRef } from '../shared/queues.ts';
import type { WorkerDeps } from '../shared/processor.ts';
import { keepCycleAlive, releaseCycleHolds } from './cycleHolds.ts';
import { deleteStaging, getCycle, stagedNewPages, type CycleRow } from './cycleStore.ts';
import { admitFencedWrite, checkFencedWriteShared } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';

export function isFinalAttempt(job: Job, err: unknown): boolean {
  if (err instanceof DelayedError) return false;
  if (err instanceof UnrecoverableError) return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** Marks the cycle FAILED (unless a newer cycle of the group took over) and lets its holds go. */
export async function failCycle(deps: Pick<WorkerDeps, 'cfg' | 'pool' | 'redis'>, cycle: CycleRow, reason: string): Promise<void> {
  const { pool, cfg, redis } = deps;
  let redisError: unknown;
  await withTransaction(pool, async (c) => {
    const marked = await c.query(
      `UPDATE last_run_potential_matches SET status = 'FAILED', finished_at = now(), failure_reason = $3
       WHERE group_id = $1 AND processing_cycle_id = $2 AND status = 'PENDING'`,
      [cycle.groupId, cycle.cycleId, reason.slice(0, 2000)]);
    await deleteStaging(c, cycle.cycleId);
    // Before the FAILED mark commits, so that whoever sees it finds the group free and the failure
    // counted (a new cycle of the group starting meanwhile waits on this row to mark itself
    // PENDING). One more consecutive failure for the group's circuit breaker — once
    // per cycle, by whoever marks it FAILED: two children failing for good, or a cycle superseded
    // by a newer one, count no extra failure.
    try {
      await releaseCycleHolds(coordinationContext(cfg, redis), cycle);
      if (marked.rowCount) await recordGroupFailure(redis, cfg, cycle.groupId);
    } catch (err) {
      redisError = err; // the FAILED mark lands even when Redis is away; the holds then expire
    }
  });
  metrics.groupCyclesFailed.inc({ groupId: cycle.groupId });
  if (redisError) throw redisError;
}

/**
 * Throws unless every N page of the cycle is still staged. The staging is UNLOGGED: a PostgreSQL
 * crash empties it, and a cycle that went on would mark nothing processed (finalize) or take every
 * row of the group for departed (flush). The group's nodes are still new, so the next cycle runs them.
 */
export async function assertStagingWhole(c: PoolClient, cycle: CycleRow): Promise<void> {
  const staged = await stagedNewPages(c, cycle.cycleId);
  if (staged !== (cycle.newPages ?? 0)) {
    throw new UnrecoverableError(
      `the staging of cycle ${cycle.cycleId} is gone (${staged} of ${cycle.newPages} new pages; a PostgreSQL crash empties UNLOGGED tables)`);
  }
}

/**
 * Refuses, inside the writing transaction, the write of a cycle that a newer cycle of the group
 * superseded (its group-lock token is stale). 'shared': one of the cycle's jobs writing alongside
 * the others; 'exclusive': finalize, which records its token as the newest.
 */
export async function assertCycleCurrent(c: PoolClient, cycle: CycleRow, mode: 'shared' | 'exclusive' = 'shared'): Promise<void> {
  const ref = RESOURCE.groupCycle(cycle.groupId);
  const current = mode === 'shared' ? await checkFencedWriteShared(c, ref, cycle.lockToken) : await admitFencedWrite(c, ref, cycle.lockToken);
  if (!current) throw new UnrecoverableError(`cycle ${cycle.cycleId} was superseded by a newer cycle of the group (stale lock token ${cycle.lockToken})`);
}

/** Runs `work` for a job of a started cycle (the cycle row exists). */
export async function runCycleJob<T>(job: Job<CycleRef>, deps: WorkerDeps, work: (cycle: CycleRow) => Promise<T>): Promise<T> {
  const cycle = await getCycle(deps.pool, job.data.cycleId);
  if (!cycle) throw new UnrecoverableError(`cycle ${job.data.cycleId} is unknown (its staging was cleaned)`);
  const stop = keepCycleAlive(deps.cfg, coordinationContext(deps.cfg, deps.redis), cycle,
    (what) => deps.log.warn({ what }, 'cycle hold not kept; writes stay fenced by the lock token'));
  try {
    return await work(cycle);
  } catch (err) {
    if (isFinalAttempt(job, err)) {
      const reason = `${job.name} ${job.id}: ${(err as Error)?.message ?? String(err)}`;
      await failCycle(deps, cycle, reason).catch((e) => deps.log.error({ err: e }, 'could not record the failed cycle'));
    }
    throw err;
  } finally {
    stop();
  }
}
