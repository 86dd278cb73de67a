// flush-group: runs once every build-chunk-pair job of the cycle has written its row page
// (pageMatches.ts: COPY → temp → INSERT … ON CONFLICT … GREATEST, one transaction per page, on the
// workers in parallel — a single flush transaction of 5,000,000 rows took ~60 s here on one core).
// What is left for the group as a whole: a FULL run deletes the rows of nodes that are no longer
// in the group (every current node's rows carry this cycle's id), and the group's row count is
// taken for the last-run marker. Fenced with the cycle's group-lock token.
import { UnrecoverableError } from 'bullmq';
import { checkFencedWriteShared } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { withTransaction } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import type { Processor } from '../workers/processor.ts';
import { runCycleJob } from './cycleJob.ts';

export const flushGroup: Processor<'flush-group'> = (job, deps) => runCycleJob(job, deps, async (cycle) => {
  const t0 = process.hrtime.bigint();
  const out = await withTransaction(deps.pool, async (c) => {
    if (!(await checkFencedWriteShared(c, RESOURCE.groupCycle(cycle.groupId), cycle.lockToken))) {
      throw new UnrecoverableError(`cycle ${cycle.cycleId} was superseded by a newer cycle of the group (stale lock token ${cycle.lockToken})`);
    }
    const departed = cycle.mode === 'FULL'
      ? (await c.query('DELETE FROM potential_matches WHERE group_id = $1 AND processing_cycle_id <> $2', [cycle.groupId, cycle.cycleId])).rowCount ?? 0
      : 0;
    const { rows } = await c.query('SELECT count(*)::bigint AS n FROM potential_matches WHERE group_id = $1', [cycle.groupId]);
    return { departed, rows: Number(rows[0].n) };
  });
  metrics.storageProcessorBatchDuration.observe({ table: 'potential_matches' }, Number(process.hrtime.bigint() - t0) / 1e9);
  return out;
});
