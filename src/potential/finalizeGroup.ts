// finalize-group: the cycle's bookkeeping, in one fenced transaction — new nodes marked processed
// (unless an import changed them since the cycle started), the cursor persisted, participation
// history written, last_run_potential_matches COMPLETED, staging removed, and just before it
// commits the holds released and the circuit breaker closed — then perfect-match-group is enqueued
// for the group (unless PERFECT_AFTER_POTENTIAL is off: the PERFECT_CRON sweep then enqueues it).
// Before its transaction, while the pages are still staged, it measures the cycle (cycleQuality.ts:
// size, possible pairs, recall estimate); the quality row commits with COMPLETED.
import { recordGroupSuccess } from '../shared/circuitBreakerStore.ts';
import { coordinationContext } from '../shared/coordination/context.ts';
import { withTransaction } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import { openQueue } from '../shared/queue.ts';
import { QUEUE } from '../shared/queues.ts';
import { enqueuePerfectMatch } from '../perfect/perfectJobs.ts';
import type { Processor } from '../shared/processor.ts';
import { releaseCycleHolds } from './cycleHolds.ts';
import { assertCycleCurrent, assertStagingWhole, runCycleJob } from './cycleJob.ts';
import { countNewNodes, deleteStaging, markNewNodesProcessed, persistCursor, recordParticipation, setLastRun, type CycleRow } from './cycleStore.ts';
import type { FlushResult } from './flushGroup.ts';
import { measureCycle, qualityRow, recordCycleQuality, reportQuality, type CycleMeasure, type QualityRow } from './cycleQuality.ts';
import { settingsNow } from './fetchPage.ts';

/** The cycle's measures, or null when they cannot be taken (logged: the cycle completes all the same). */
async function measure(deps: Parameters<typeof measureCycle>[0], cycle: CycleRow): Promise<CycleMeasure | null> {
  try {
    return await measureCycle(deps, cycle, cycle.settings ?? await settingsNow(deps, cycle));
  } catch (err) {
    deps.log.warn({ err }, 'could not measure the cycle\'s quality (recall estimate)');
    return null;
  }
}

export const finalizeGroup: Processor<'finalize-group'> = (job, deps) => runCycleJob(job, deps, async (cycle) => {
  const { cfg, pool, redis } = deps;
  const startedAt = Date.now();
  const committed = (await pool.query(
    `SELECT 1 FROM last_run_potential_matches WHERE group_id = $1 AND processing_cycle_id = $2 AND status = 'COMPLETED'`, [cycle.groupId, cycle.cycleId]))
    .rows.length > 0;
  // flush-group (the only child) counted the group's rows and summed what the build jobs did
  const flushed = committed ? undefined : Object.values(await job.getChildrenValues())[0] as FlushResult | undefined;
  const measured = committed ? null : await measure(deps, cycle);
  let quality: QualityRow | null = null;
  // Before COMPLETED commits, so that whoever sees it finds the group free and its circuit breaker
  // closed (a completed cycle closes it). Should the commit fail, the job runs again.
  const releaseAndCloseBreaker = async () => {
    await releaseCycleHolds(coordinationContext(cfg, redis), cycle);
    await recordGroupSuccess(redis, cfg, cycle.groupId);
  };
  const counts = await withTransaction(pool, async (c) => {
    await assertCycleCurrent(c, cycle, 'exclusive');
    // A finalize run again after it committed (its worker died before the job completed) only
    // releases the holds and enqueues the perfect stage: the staging it counted is gone.
    const done = await c.query(
      `SELECT node_count, edge_count FROM last_run_potential_matches WHERE group_id = $1 AND processing_cycle_id = $2 AND status = 'COMPLETED'`,
      [cycle.groupId, cycle.cycleId]);
    if (done.rows[0]) {
      await releaseAndCloseBreaker();
      return { nodeCount: Number(done.rows[0].node_count), edgeCount: Number(done.rows[0].edge_count) };
    }
    await assertStagingWhole(c, cycle);
    await markNewNodesProcessed(c, cycle);
    await recordParticipation(c, cycle);
    await persistCursor(c, cycle);
    const nodeCount = await countNewNodes(c, cycle.cycleId);
    // nothing of the cycle writes after flush-group
    const edgeCount = typeof flushed?.rows === 'number' ? flushed.rows
      : Number((await c.query('SELECT count(*) AS n FROM potential_matches WHERE group_id = $1', [cycle.groupId])).rows[0].n);
    await setLastRun(c, {
      groupId: cycle.groupId, domainId: cycle.domainId, cycleId: cycle.cycleId, status: 'COMPLETED', nodeCount, edgeCount,
      settingsHash: cycle.settingsHash ?? undefined,
    });
    if (measured) {
      quality = qualityRow(cycle, measured, flushed, { newNodes: nodeCount, edges: edgeCount }, startedAt);
      await recordCycleQuality(c, cycle, cycle.settings?.strategy ?? null, quality);
    }
    await deleteStaging(c, cycle.cycleId);
    await releaseAndCloseBreaker();
    return { nodeCount, edgeCount };
  });
  if (quality) reportQuality(cfg, deps.log, cycle, quality);
  if (cfg.perfectAfterPotential) {
    const perfect = openQueue(cfg, QUEUE.perfect);
    try {
      await enqueuePerfectMatch(perfect, { id: cycle.groupId, domainId: cycle.domainId }, { potentialCycleId: cycle.cycleId });
    } finally {
      await perfect.close();
    }
  }
  metrics.potentialCycleDuration.observe({ groupId: cycle.groupId }, (Date.now() - cycle.startedAt.getTime()) / 1000);
  deps.log.info(counts, 'cycle completed');
  return counts;
});
