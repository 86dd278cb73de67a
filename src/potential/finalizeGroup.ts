// finalize-group: the cycle's bookkeeping, in one fenced transaction — new nodes marked processed
// (unless an import changed them since the cycle started), the cursor persisted, participation
// history written, last_run_potential_matches COMPLETED, staging removed, and just before it
// commits the holds released and the circuit breaker closed — then perfect-match-group is enqueued
// for the group.
import { recordGroupSuccess } from '../shared/circuitBreakerStore.ts';
import { admitFencedWrite } from '../shared/coordination/fencing.ts';
import { coordinationContext } from '../shared/coordination/context.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { withTransaction, type PoolClient } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import { openQueue } from '../shared/queue.ts';
import { JOB, jobId, QUEUE } from '../shared/queues.ts';
import { UnrecoverableError } from 'bullmq';
import type { Processor } from '../workers/processor.ts';
import { releaseCycleHolds } from './cycleHolds.ts';
import { assertStagingWhole, runCycleJob } from './cycleJob.ts';
import { deleteStaging, setLastRun, type CycleRow } from './cycleStore.ts';
import type { FlushResult } from './flushGroup.ts';

/** The ids of the cycle's new nodes (its N pages), for a query whose $1 is the cycle id. */
const NEW_NODE_IDS = `SELECT unnest(node_ids) FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = 'N'`;

/**
 * match_participation_history: one row per node of the cycle's N pages that still exists — a node
 * deleted while its cycle ran would fail the history's foreign key, and with it the cycle, again
 * at every retry.
 */
export async function recordParticipation(c: PoolClient, cycle: Pick<CycleRow, 'cycleId' | 'groupId' | 'domainId'>): Promise<number> {
  const { rowCount } = await c.query(
    `INSERT INTO match_participation_history (node_id, group_id, domain_id, processing_cycle_id, participated_at)
     SELECT n.id, $2::uuid, $3::uuid, $1::varchar, now() FROM nodes n
     WHERE n.id IN (${NEW_NODE_IDS})
     ON CONFLICT (node_id, processing_cycle_id) DO NOTHING`,
    [cycle.cycleId, cycle.groupId, cycle.domainId]);
  return rowCount ?? 0;
}

export const finalizeGroup: Processor<'finalize-group'> = (job, deps) => runCycleJob(job, deps, async (cycle) => {
  const { cfg, pool, redis } = deps;
  // Before COMPLETED commits, so that whoever sees it finds the group free and its circuit breaker
  // closed (seed 004 §9: a completed cycle closes it). Should the commit fail, the job runs again.
  const releaseAndCloseBreaker = async () => {
    await releaseCycleHolds(coordinationContext(cfg, redis), cycle);
    await recordGroupSuccess(redis, cfg, cycle.groupId);
  };
  const counts = await withTransaction(pool, async (c) => {
    if (!(await admitFencedWrite(c, RESOURCE.groupCycle(cycle.groupId), cycle.lockToken))) {
      throw new UnrecoverableError(`cycle ${cycle.cycleId} was superseded by a newer cycle of the group`);
    }
    // A finalize run again after it committed (its worker died before the job completed) only
    // releases the holds and enqueues the perfect stage: the staging it counted is gone.
    const done = await c.query(
      `SELECT node_count, edge_count FROM last_run_potential_matches WHERE group_id = $1 AND processing_cycle_id = $2 AND status = 'COMPLETED'`,
      [cycle.groupId, cycle.cycleId]);
    if (done.rows[0]) {
      await releaseAndCloseBreaker();
      return { nodeCount: Number(done.rows[0].node_count), edgeCount: Number(done.rows[0].edge_count) };
    }
    // (found by the chaos suite: a crash between the chunk pairs and here said COMPLETED with 0 nodes)
    await assertStagingWhole(c, cycle);
    await c.query(
      `UPDATE nodes SET processed = true
       WHERE id IN (${NEW_NODE_IDS}) AND processed = false AND (updated_at IS NULL OR updated_at <= $2)`,
      [cycle.cycleId, cycle.startedAt]);
    await recordParticipation(c, cycle);
    await c.query(
      `INSERT INTO nodes_cursor (group_id, domain_id, cursor_created_at, cursor_id, updated_at)
       SELECT $2, $3, last_created_at, last_id, now() FROM potential_cycle_pages
       WHERE cycle_id = $1 AND kind = 'N' AND node_count > 0 ORDER BY page_index DESC LIMIT 1
       ON CONFLICT (group_id, domain_id) DO UPDATE SET cursor_created_at = EXCLUDED.cursor_created_at,
         cursor_id = EXCLUDED.cursor_id, updated_at = now()`,
      [cycle.cycleId, cycle.groupId, cycle.domainId]);
    const { rows } = await c.query(
      `SELECT coalesce(sum(node_count), 0) AS nodes FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = 'N'`, [cycle.cycleId]);
    const nodeCount = Number(rows[0].nodes);
    // flush-group (the only child) counted the group's rows, and nothing of the cycle writes after it
    const flushed = Object.values(await job.getChildrenValues())[0] as FlushResult | undefined;
    const edgeCount = typeof flushed?.rows === 'number' ? flushed.rows
      : Number((await c.query('SELECT count(*) AS n FROM potential_matches WHERE group_id = $1', [cycle.groupId])).rows[0].n);
    await setLastRun(c, { groupId: cycle.groupId, domainId: cycle.domainId, cycleId: cycle.cycleId, status: 'COMPLETED', nodeCount, edgeCount });
    await deleteStaging(c, cycle.cycleId);
    await releaseAndCloseBreaker();
    return { nodeCount, edgeCount };
  });
  const perfect = openQueue(cfg, QUEUE.perfect);
  try {
    await perfect.add(JOB.perfectMatchGroup, { domainId: cycle.domainId, groupId: cycle.groupId, potentialCycleId: cycle.cycleId },
      { jobId: jobId('perfect', cycle.cycleId) });
  } finally {
    await perfect.close();
  }
  metrics.potentialCycleDuration.observe({ groupId: cycle.groupId }, (Date.now() - cycle.startedAt.getTime()) / 1000);
  deps.log.info(counts, 'cycle completed');
  return counts;
});
