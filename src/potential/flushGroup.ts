// flush-group: runs once every build-chunk-pair job of the cycle has written its row page
// (pageMatches.ts: COPY → temp → INSERT, one transaction per page, on the workers in parallel —
// a single flush transaction of 5,000,000 rows took ~60 s here on one core).
// What is left for the group as a whole: a FULL run deletes the rows of nodes that are no longer
// in the group, and the group's row count is taken for the last-run marker. Fenced with the
// cycle's group-lock token.
import { UnrecoverableError } from 'bullmq';
import { checkFencedWriteShared } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { withTransaction, type PoolClient } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import type { Processor } from '../workers/processor.ts';
import { assertStagingWhole, runCycleJob } from './cycleJob.ts';
import type { CycleRow } from './cycleStore.ts';

export interface FlushResult {
  departed: number;
  /** potential_matches rows of the group after the cycle */
  rows: number;
}

/**
 * FULL runs: every N page deleted its nodes' earlier rows before writing, so what is left of
 * earlier cycles belongs to nodes that are no longer in the group. Their reference ids are found
 * by a loose index scan of uq_match (one index descent per distinct reference id) rather than by
 * reading every row of the group (5,000,000 at 50,000 nodes).
 */
async function deleteDeparted(c: PoolClient, cycle: CycleRow): Promise<number> {
  await assertStagingWhole(c, cycle);
  const { rowCount } = await c.query(
    `WITH RECURSIVE refs(r) AS (
       (SELECT reference_id FROM potential_matches WHERE group_id = $1 ORDER BY reference_id LIMIT 1)
       UNION ALL
       SELECT (SELECT p.reference_id FROM potential_matches p
               WHERE p.group_id = $1 AND p.reference_id > refs.r ORDER BY p.reference_id LIMIT 1)
       FROM refs WHERE refs.r IS NOT NULL
     ), departed AS (
       SELECT r FROM refs WHERE r IS NOT NULL
       EXCEPT SELECT unnest(reference_ids) FROM potential_cycle_pages WHERE cycle_id = $2 AND kind = 'N'
     )
     DELETE FROM potential_matches WHERE group_id = $1 AND reference_id IN (SELECT r FROM departed)`,
    [cycle.groupId, cycle.cycleId]);
  return rowCount ?? 0;
}

export const flushGroup: Processor<'flush-group'> = (job, deps) => runCycleJob(job, deps, async (cycle): Promise<FlushResult> => {
  const t0 = process.hrtime.bigint();
  // Each build job returns the rows its page holds now (a page's write replaces that page's rows).
  const written = Object.values(await job.getChildrenValues()).map((v) => (v as { edges?: unknown } | null)?.edges);
  const out = await withTransaction(deps.pool, async (c) => {
    if (!(await checkFencedWriteShared(c, RESOURCE.groupCycle(cycle.groupId), cycle.lockToken))) {
      throw new UnrecoverableError(`cycle ${cycle.cycleId} was superseded by a newer cycle of the group (stale lock token ${cycle.lockToken})`);
    }
    if (cycle.mode === 'FULL') {
      const departed = await deleteDeparted(c, cycle);
      // After a FULL run the group holds exactly the rows its pages wrote.
      if (written.length === cycle.newPages && written.every((n) => typeof n === 'number')) {
        return { departed, rows: (written as number[]).reduce((a, b) => a + b, 0) };
      }
      return { departed, rows: await countRows(c, cycle) };
    }
    return { departed: 0, rows: await countRows(c, cycle) };
  });
  metrics.storageProcessorBatchDuration.observe({ table: 'potential_matches' }, Number(process.hrtime.bigint() - t0) / 1e9);
  return out;
});

async function countRows(c: PoolClient, cycle: CycleRow): Promise<number> {
  const { rows } = await c.query('SELECT count(*)::bigint AS n FROM potential_matches WHERE group_id = $1', [cycle.groupId]);
  return Number(rows[0].n);
}
